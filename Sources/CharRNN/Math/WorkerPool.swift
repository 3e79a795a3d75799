#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import Synchronization

/// The process's own worker threads, for `parallel`: created by the first parallel section that
/// needs them, from the caller's thread, so they start at its priority (under `nice -n 19`, every
/// worker runs at 19; libdispatch's pool would run them at its own).
///
/// A job is `count` tasks, claimed one at a time by whoever gets there first: the caller claims
/// too, so a worker that the scheduler keeps off a busy core costs nothing: the caller runs its
/// tasks itself, as one thread would. Workers spin for `spinNanoseconds` after each job (work split
/// per step comes back within microseconds), then block until the next job.
///
/// `@unchecked Sendable`: `job` is written by the caller before it publishes the job's ticket
/// (release) and read by a worker only after it claimed a task of that job (acquire); the caller
/// waits for every claimed task before it writes `job` again.
final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool()

    /// How long a worker spins for the next job before it blocks.
    static let spinNanoseconds: UInt64 = 100_000

    /// generation (32 bits) | task count (16 bits) | next task (16 bits).
    private let ticket = Atomic<UInt64>(0)
    private let completed = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    private let inUse = Atomic<Bool>(false)
    private let started = Mutex(0)
    /// Workers started (read without the lock).
    private let workers = Atomic<Int>(0)
    private var job: ((Int) -> Void)?
    /// The generation before the newest worker started (the first job it may take is the next).
    private var generationAtSpawn: UInt64 = 0
    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    private init() {
        pthread_mutex_init(lock, nil)
        pthread_cond_init(wake, nil)
    }

    /// Runs `body(0..<count)`, each index once, on the caller and up to `count - 1` workers. A
    /// call made while the pool is busy (a nested or concurrent section) runs on its caller alone.
    func run(_ count: Int, _ body: (Int) -> Void) {
        guard count > 1, count < 1 << 16,
            inUse.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
        else {
            for i in 0..<count { body(i) }
            return
        }
        defer { inUse.store(false, ordering: .releasing) }
        startWorkers(min(count, Threads.count) - 1)
        withoutActuallyEscaping(body) { b in
            job = b
            completed.store(0, ordering: .relaxed)
            let generation = (ticket.load(ordering: .relaxed) >> 32 &+ 1) & 0xFFFF_FFFF
            ticket.store(generation << 32 | UInt64(count) << 16, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                pthread_mutex_lock(lock)
                pthread_cond_broadcast(wake)
                pthread_mutex_unlock(lock)
            }
            work(generation: generation)
            var spins = 0
            while completed.load(ordering: .acquiring) < count {
                spins += 1
                if spins > 4096 { sched_yield() }
            }
            job = nil
        }
    }

    /// Claims and runs tasks of job `generation` until none is left.
    private func work(generation: UInt64) {
        var t = ticket.load(ordering: .acquiring)
        while t >> 32 == generation {
            let count = t >> 16 & 0xFFFF, next = t & 0xFFFF
            if next >= count { return }
            let (exchanged, now) = ticket.compareExchange(expected: t, desired: t + 1, ordering: .acquiringAndReleasing)
            if exchanged {
                job!(Int(next))
                completed.add(1, ordering: .releasing)
                t = ticket.load(ordering: .acquiring)
            } else {
                t = now
            }
        }
    }

    private func startWorkers(_ wanted: Int) {
        // Every section calls this; the lock is taken only while workers are still missing.
        if workers.load(ordering: .acquiring) >= wanted { return }
        started.withLock { n in
            generationAtSpawn = ticket.load(ordering: .relaxed) >> 32
            while n < wanted {
                spawn()
                n += 1
            }
            workers.store(n, ordering: .releasing)
        }
    }

    private func spawn() {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, 1 << 20)
        #if os(Linux)
            var thread = pthread_t()
        #else
            var thread: pthread_t?
        #endif
        let created = pthread_create(
            &thread, &attributes,
            { argument in
                Unmanaged<WorkerPool>.fromOpaque(argument!).takeUnretainedValue().loop()
                return nil
            }, Unmanaged.passUnretained(self).toOpaque())
        precondition(created == 0, "could not start a worker thread (error \(created))")
        pthread_detach(thread)
    }

    /// A worker: waits for a job newer than the last one it saw, helps with it, and again.
    private func loop() {
        var seen = generationAtSpawn
        while true {
            let generation = waitForJob(after: seen)
            work(generation: generation)
            seen = generation
        }
    }

    /// Spins briefly for the next job, then blocks until the caller wakes the sleepers.
    private func waitForJob(after seen: UInt64) -> UInt64 {
        let start = Clock.nanoseconds
        var spins = 0
        while true {
            let g = ticket.load(ordering: .acquiring) >> 32
            if g != seen { return g }
            spins += 1
            if spins & 255 == 0 && Clock.nanoseconds - start > Self.spinNanoseconds { break }
        }
        pthread_mutex_lock(lock)
        sleepers.add(1, ordering: .sequentiallyConsistent)
        var g = ticket.load(ordering: .sequentiallyConsistent) >> 32
        while g == seen {
            pthread_cond_wait(wake, lock)
            g = ticket.load(ordering: .acquiring) >> 32
        }
        sleepers.subtract(1, ordering: .sequentiallyConsistent)
        pthread_mutex_unlock(lock)
        return g
    }
}

/// A monotonic clock in nanoseconds.
enum Clock {
    static var nanoseconds: UInt64 {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
    }
}
