# charrnn: build, install and package the command-line tool.
#
#   make                      release build: .build/release/charrnn, one binary for every CPU of its
#                             architecture (the kernels are chosen at run time; see Sources/CKernels)
#   make install              that build, with the Swift runtime linked in, into $(PREFIX)/bin,
#                             plus the man pages and bash/zsh/fish completions
#   make install PREFIX=~/.local
#   make uninstall            removes what install put there
#   make portable             .build/portable/charrnn: the installed binary (static Swift runtime),
#                             kept as an alias now that every build runs on every x86-64 CPU
#   make dispatch-check       the release binary under each kernel variant this CPU runs, and under
#                             qemu as a Haswell (AVX2) and as qemu64 (SSE2): same losses everywhere
#   make neon-check           the kernels cross-compiled for arm64 and run under qemu-aarch64
#   make device-check         .build-device/: static programs for a borrowed machine without Swift
#                             (bench/device-check.sh: kernel checks, GFLOP/s, charrnn bench)
#   make man completions      only the generated man pages / completion scripts, under .build/
#   make example              builds and runs Examples/ScoreText against a tagged copy of this repo
#   make test                 swift test
#
# The Swift runtime is linked statically (--static-swift-stdlib) in installed binaries, so they run
# where Swift is not installed (they need only libc, libstdc++ and zlib). The sources import
# FoundationEssentials, not Foundation, so no ICU data is linked: the installed (stripped) binary
# is about 17 MB.

PREFIX ?= /usr/local
BINDIR = $(PREFIX)/bin
MANDIR = $(PREFIX)/share/man/man1
BASH_COMPLETIONS = $(PREFIX)/share/bash-completion/completions
ZSH_COMPLETIONS = $(PREFIX)/share/zsh/site-functions
FISH_COMPLETIONS = $(PREFIX)/share/fish/vendor_completions.d

STATIC_BUILD = .build-install

.PHONY: all build install uninstall portable dispatch-check neon-check device-check man completions example test clean

all: build

build:
	swift build -c release

$(STATIC_BUILD)/release/charrnn: Package.swift $(shell find Sources -type f)
	swift build -c release --static-swift-stdlib --scratch-path $(STATIC_BUILD)

man:
	swift package generate-manual --multi-page
	mkdir -p .build/man
	cp .build/plugins/GenerateManual/outputs/charrnn/*.1 .build/man/

completions: $(STATIC_BUILD)/release/charrnn
	mkdir -p .build/completions
	$(STATIC_BUILD)/release/charrnn --generate-completion-script bash > .build/completions/charrnn.bash
	$(STATIC_BUILD)/release/charrnn --generate-completion-script zsh > .build/completions/_charrnn
	$(STATIC_BUILD)/release/charrnn --generate-completion-script fish > .build/completions/charrnn.fish

install: $(STATIC_BUILD)/release/charrnn man completions
	install -d $(BINDIR) $(MANDIR) $(BASH_COMPLETIONS) $(ZSH_COMPLETIONS) $(FISH_COMPLETIONS)
	install -m 755 -s $(STATIC_BUILD)/release/charrnn $(BINDIR)/charrnn
	install -m 644 .build/man/*.1 $(MANDIR)/
	install -m 644 .build/completions/charrnn.bash $(BASH_COMPLETIONS)/charrnn
	install -m 644 .build/completions/_charrnn $(ZSH_COMPLETIONS)/_charrnn
	install -m 644 .build/completions/charrnn.fish $(FISH_COMPLETIONS)/charrnn.fish
	@echo "installed $(BINDIR)/charrnn; make sure $(BINDIR) is on your PATH"

uninstall:
	rm -f $(BINDIR)/charrnn $(MANDIR)/charrnn.1 $(MANDIR)/charrnn.*.1
	rm -f $(BASH_COMPLETIONS)/charrnn $(ZSH_COMPLETIONS)/_charrnn $(FISH_COMPLETIONS)/charrnn.fish

portable: $(STATIC_BUILD)/release/charrnn
	mkdir -p .build/portable
	cp $(STATIC_BUILD)/release/charrnn .build/portable/charrnn
	@echo "built .build/portable/charrnn (runs on any x86-64 CPU; kernels chosen at start)"

dispatch-check: build
	Tests/dispatch.sh .build/release/charrnn

neon-check:
	Tests/neon-check.sh

device-check:
	bench/device-check.sh prepare

example:
	Examples/run.sh

test:
	swift test

clean:
	rm -rf .build $(STATIC_BUILD) .build-device
