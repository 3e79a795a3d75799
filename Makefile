# charrnn: build, install and package the command-line tool.
#
#   make                      release build tuned to this CPU: .build/release/charrnn
#   make install              that build, with the Swift runtime linked in, into $(PREFIX)/bin,
#                             plus the man pages and bash/zsh/fish completions
#   make install PREFIX=~/.local
#   make uninstall            removes what install put there
#   make portable             .build/portable/charrnn for any x86-64-v3 CPU (AVX2 + FMA)
#   make portable-test        the test suite compiled for x86-64-v3
#   make portable-check       the portable binary under qemu: refuses an older CPU in one line
#   make man completions      only the generated man pages / completion scripts, under .build/
#   make example              builds and runs Examples/ScoreText against a tagged copy of this repo
#   make test                 swift test
#
# The Swift runtime is linked statically (--static-swift-stdlib) in installed and portable
# binaries, so they run where Swift is not installed (they need only libc, libstdc++ and zlib).

PREFIX ?= /usr/local
BINDIR = $(PREFIX)/bin
MANDIR = $(PREFIX)/share/man/man1
BASH_COMPLETIONS = $(PREFIX)/share/bash-completion/completions
ZSH_COMPLETIONS = $(PREFIX)/share/zsh/site-functions
FISH_COMPLETIONS = $(PREFIX)/share/fish/vendor_completions.d

STATIC_BUILD = .build-install
PORTABLE_BUILD = .build-portable
PORTABLE_CPU = x86-64-v3

.PHONY: all build install uninstall portable portable-test portable-check man completions example test clean

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
	install -m 755 $(STATIC_BUILD)/release/charrnn $(BINDIR)/charrnn
	install -m 644 .build/man/*.1 $(MANDIR)/
	install -m 644 .build/completions/charrnn.bash $(BASH_COMPLETIONS)/charrnn
	install -m 644 .build/completions/_charrnn $(ZSH_COMPLETIONS)/_charrnn
	install -m 644 .build/completions/charrnn.fish $(FISH_COMPLETIONS)/charrnn.fish
	@echo "installed $(BINDIR)/charrnn; make sure $(BINDIR) is on your PATH"

uninstall:
	rm -f $(BINDIR)/charrnn $(MANDIR)/charrnn.1 $(MANDIR)/charrnn.*.1
	rm -f $(BASH_COMPLETIONS)/charrnn $(ZSH_COMPLETIONS)/_charrnn $(FISH_COMPLETIONS)/charrnn.fish

portable:
	CHARRNN_TARGET_CPU=$(PORTABLE_CPU) swift build -c release --static-swift-stdlib --scratch-path $(PORTABLE_BUILD)
	mkdir -p .build/portable
	cp $(PORTABLE_BUILD)/release/charrnn .build/portable/charrnn
	@if objdump -d .build/portable/charrnn | grep -q '%zmm'; then \
		echo "error: the portable binary uses AVX-512 registers"; exit 1; fi
	@echo "built .build/portable/charrnn for $(PORTABLE_CPU) (no AVX-512 instructions)"

portable-test:
	CHARRNN_TARGET_CPU=$(PORTABLE_CPU) swift test --scratch-path $(PORTABLE_BUILD)

# Runs the portable binary on emulated CPUs (qemu-user): a Westmere (no AVX2) must get the one-line
# refusal and exit status 1, a Haswell (exactly x86-64-v3) must run it.
portable-check: portable
	@command -v qemu-x86_64 >/dev/null || { echo "portable-check needs qemu-x86_64 (apt-get install qemu-user)"; exit 1; }
	@out=$$(qemu-x86_64 -cpu Westmere .build/portable/charrnn --version 2>&1 >/dev/null | grep -v '^qemu'); rc=$$?; \
	  qemu-x86_64 -cpu Westmere .build/portable/charrnn --version >/dev/null 2>&1; rc=$$?; \
	  echo "Westmere: exit $$rc: $$out"; \
	  [ $$rc -eq 1 ] && echo "$$out" | grep -q '^charrnn: error: this binary was built for x86-64-v3'
	@v=$$(qemu-x86_64 -cpu Haswell .build/portable/charrnn --version 2>/dev/null); echo "Haswell: $$v"; [ "$$v" = "1.0.0" ]

example:
	Examples/run.sh

test:
	swift test

clean:
	rm -rf .build $(STATIC_BUILD) $(PORTABLE_BUILD)
