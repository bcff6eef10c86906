# dist/: what makes traplab a Debian-grade tool: make install / uninstall, the
# man pages, shell completion and editor files (generated from the ISA table).
# docs/install.md describes the layout.

PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/traplab
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/traplab
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/vendor-completions
VIMDIR ?= $(PREFIX)/share/vim/vimfiles
EMACSDIR ?= $(PREFIX)/share/emacs/site-lisp
INSTALL ?= install

# The editor files come out of the built traplab (traplab isa --editor), so
# they always match isa/isa.def and the assembler's tables.
EDITORS := $(B)/editors
EDITOR_FILES := $(EDITORS)/vim/syntax/traplab.vim $(EDITORS)/vim/ftdetect/traplab.vim \
                $(EDITORS)/emacs/traplab-mode.el $(EDITORS)/vscode/syntaxes/traplab.tmLanguage.json \
                $(EDITORS)/vscode/package.json $(EDITORS)/vscode/language-configuration.json \
                $(EDITORS)/zsh/_traplab

$(EDITORS)/vim/syntax/traplab.vim: $(B)/traplab isa/isa.def
	@mkdir -p $(dir $@)
	$(B)/traplab isa --editor vim > $@
$(EDITORS)/vim/ftdetect/traplab.vim: $(B)/traplab
	@mkdir -p $(dir $@)
	$(B)/traplab isa --editor vim-ftdetect > $@
$(EDITORS)/emacs/traplab-mode.el: $(B)/traplab
	@mkdir -p $(dir $@)
	$(B)/traplab isa --editor emacs > $@
$(EDITORS)/vscode/syntaxes/traplab.tmLanguage.json: $(B)/traplab
	@mkdir -p $(dir $@)
	$(B)/traplab isa --editor textmate > $@
$(EDITORS)/vscode/%.json: dist/editors/vscode/%.json
	@mkdir -p $(dir $@)
	cp $< $@
# zsh completes through bash's function (bashcompinit).  compinit autoloads
# this file as the function _traplab on the first TAB: it defines the bash
# function (the new _traplab) and registers it, then completes that first TAB
# too (dist/test-completion-zsh.sh).
$(EDITORS)/zsh/_traplab: dist/completion/traplab.bash
	@mkdir -p $(dir $@)
	{ printf '#compdef traplab\n# zsh completion for traplab: the bash completion, through bashcompinit.\n'; \
	  printf 'autoload -U +X bashcompinit && bashcompinit\n'; cat $<; \
	  printf '# The first TAB, which loaded this file, completes too (only inside completion).\n'; \
	  printf '[[ -n $${compstate[context]-} ]] && _bash_complete -F _traplab\n'; } > $@

editors: $(EDITOR_FILES)
all: editors

MANPAGES := $(wildcard dist/man/*.[1-9])
# Translated pages (dist/man/LANG/), installed under MANDIR/LANG/manN, where man(1) finds them
# for that locale; only traplab(1) is in Spanish.
MANPAGES_L10N := $(wildcard dist/man/*/*.[1-9])
DATA_FILES = $(shell find labs guest samples -type f ! -name '*.tlo' ! -name '.*' ! -name '*.lst' | sort)

install: $(B)/traplab editors
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR) \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 \
	    $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(VIMDIR)/syntax \
	    $(DESTDIR)$(VIMDIR)/ftdetect $(DESTDIR)$(EMACSDIR)
	$(INSTALL) -m 755 $(TRAPLAB) $(DESTDIR)$(BINDIR)/traplab
	set -e; for f in $(DATA_FILES); do \
	    $(INSTALL) -d $(DESTDIR)$(DATADIR)/$$(dirname $$f); \
	    $(INSTALL) -m 644 $$f $(DESTDIR)$(DATADIR)/$$f; done
	set -e; for f in $(MANPAGES); do s=$${f##*.}; $(INSTALL) -m 644 $$f $(DESTDIR)$(MANDIR)/man$$s/; done
	set -e; for f in $(MANPAGES_L10N); do s=$${f##*.}; l=$$(basename $$(dirname $$f)); \
	    $(INSTALL) -d $(DESTDIR)$(MANDIR)/$$l/man$$s; $(INSTALL) -m 644 $$f $(DESTDIR)$(MANDIR)/$$l/man$$s/; done
	$(INSTALL) -m 644 README.md docs/*.md $(DESTDIR)$(DOCDIR)/
	$(INSTALL) -m 644 dist/completion/traplab.bash $(DESTDIR)$(BASHCOMPDIR)/traplab
	$(INSTALL) -m 644 $(EDITORS)/zsh/_traplab $(DESTDIR)$(ZSHCOMPDIR)/_traplab
	$(INSTALL) -m 644 $(EDITORS)/vim/syntax/traplab.vim $(DESTDIR)$(VIMDIR)/syntax/traplab.vim
	$(INSTALL) -m 644 $(EDITORS)/vim/ftdetect/traplab.vim $(DESTDIR)$(VIMDIR)/ftdetect/traplab.vim
	$(INSTALL) -m 644 $(EDITORS)/emacs/traplab-mode.el $(DESTDIR)$(EMACSDIR)/traplab-mode.el
	$(INSTALL) -d $(DESTDIR)$(DATADIR)/editors/vscode/syntaxes
	$(INSTALL) -m 644 $(EDITORS)/vscode/package.json $(EDITORS)/vscode/language-configuration.json \
	    $(DESTDIR)$(DATADIR)/editors/vscode/
	$(INSTALL) -m 644 $(EDITORS)/vscode/syntaxes/traplab.tmLanguage.json $(DESTDIR)$(DATADIR)/editors/vscode/syntaxes/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/traplab $(DESTDIR)$(BASHCOMPDIR)/traplab $(DESTDIR)$(ZSHCOMPDIR)/_traplab \
	    $(DESTDIR)$(VIMDIR)/syntax/traplab.vim $(DESTDIR)$(VIMDIR)/ftdetect/traplab.vim \
	    $(DESTDIR)$(EMACSDIR)/traplab-mode.el
	rm -f $(foreach f,$(MANPAGES),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(f)))/$(notdir $(f)))
	rm -f $(foreach f,$(MANPAGES_L10N),$(DESTDIR)$(MANDIR)/$(notdir $(patsubst %/,%,$(dir $(f))))/man$(subst .,,$(suffix $(f)))/$(notdir $(f)))
	rm -rf $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR)

# The checks of this folder, run by make test with the binary of this build.
export TRAPLAB_DIST_BIN = $(abspath $(TRAPLAB))
export TRAPLAB_MODE = $(MODE)
TEST_TARGETS += editors
TEST_RUNS += dist/test-man.sh dist/test-completion.sh dist/test-editors.sh dist/test-json.sh dist/test-grading.sh dist/test-plot.sh dist/test-env.sh dist/test-lang.sh dist/test-completion-zsh.sh \
             dist/test-install.sh

.PHONY: editors install uninstall
