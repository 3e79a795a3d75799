#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import CKernels

/// The instruction-set variant of the numeric kernels (Sources/CKernels). One binary carries every
/// variant its architecture has, and the best one the CPU (and its operating system) can run is
/// chosen on first use; the environment variable `CHARRNN_KERNELS` forces one, for tests and bug
/// reports.
public enum KernelVariant {
    /// Every variant this build has, best first.
    public static var all: [String] {
        #if arch(x86_64)
            ["avx512", "avx2", "baseline"]
        #else
            ["baseline"]
        #endif
    }

    /// The variant in use.
    public static var current: String { String(cString: ck_variant()) }

    /// The CPU's model name (Linux: /proc/cpuinfo's first "model name"), else "this CPU".
    public static var cpuName: String {
        #if os(Linux)
            if let bytes = try? InputFile.read("/proc/cpuinfo", expected: "cpuinfo"),
                let line = String(decoding: bytes, as: UTF8.self).split(separator: "\n").first(where: {
                    $0.hasPrefix("model name")
                }), let colon = line.firstIndex(of: ":")
            {
                return String(line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" })
            }
        #endif
        return "this CPU"
    }

    /// The CPU features found (only those whose registers the OS saves), space-separated.
    public static var cpuFeatures: String { String(cString: ck_cpu_features()) }

    /// Why `CHARRNN_KERNELS` could not be honoured (it names no variant, or one this CPU cannot
    /// run); the kernels then run the best variant.
    public static var selectionError: String? { ck_selection_error().map { String(cString: $0) } }

    /// The CPU's vendor string ("GenuineIntel", "AuthenticAMD"; empty off x86).
    public static var cpuVendor: String { String(cString: ck_cpu_vendor()) }

    /// The path of the bf16 products: "amx" (AMX-BF16 tiles), "avx512_bf16" (vdpbf16ps), or
    /// "avx512_bf16-model" on a CPU with neither (the portable C model of the instruction: exact, slow).
    public static var bf16Path: String { String(cString: ck_bf16_path()) }

    /// Whether the bf16 products run a real instruction on this CPU.
    public static var bf16Hardware: Bool { ck_bf16_hardware() != 0 }

    /// Whether this CPU can run `name`.
    public static func isSupported(_ name: String) -> Bool { ck_supported(name) != 0 }

    /// The variants this CPU can run, best first.
    public static var supported: [String] { all.filter(isSupported) }

    /// Runs `body` with each variant this CPU can run in turn, then restores the one in use.
    /// Not safe while kernels run on other threads.
    static func withEachSupported(_ body: (String) throws -> Void) rethrows {
        let saved = current
        defer { _ = ck_use(saved) }
        for name in supported {
            _ = ck_use(name)
            try body(name)
        }
    }
}
