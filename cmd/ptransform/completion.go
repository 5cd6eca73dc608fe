package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/ptransform/ptransform/internal/apply"
)

// Shell completion asks the binary itself (`ptransform apply --generate-bash-completion`
// lists apply's flags), so the scripts never go stale; the man page is generated from the
// same command and flag definitions as the help text.

// completeFlag is the flag urfave/cli answers with completions when it ends the arguments.
const completeFlag = "--generate-bash-completion"

const bashCompletion = `# bash completion for ptransform: ptransform completion bash > /etc/bash_completion.d/ptransform
_ptransform_complete() {
  local cur words
  COMPREPLY=()
  cur="${COMP_WORDS[COMP_CWORD]}"
  words=("${COMP_WORDS[@]:0:$COMP_CWORD}")
  if [[ "$cur" == -* ]]; then
    words+=("$cur")
  fi
  local IFS=$'\n'
  COMPREPLY=($(compgen -W "$("${words[0]}" "${words[@]:1}" ` + completeFlag + ` 2>/dev/null)" -- "$cur"))
}
complete -o bashdefault -o default -F _ptransform_complete ptransform
`

// zshCompletion works both from a file _ptransform on $fpath and sourced
// (source <(ptransform completion zsh)).
const zshCompletion = `#compdef ptransform
_ptransform() {
  local -a opts
  local cur=${words[-1]}
  if [[ "$cur" == -* ]]; then
    opts=("${(@f)$(${words[@]:0:#words[@]-1} ${cur} ` + completeFlag + ` 2>/dev/null)}")
  else
    opts=("${(@f)$(${words[@]:0:#words[@]-1} ` + completeFlag + ` 2>/dev/null)}")
  fi
  if [[ "${opts[1]}" != "" ]]; then
    _describe 'values' opts
  else
    _files
  fi
}
if [[ "$funcstack[1]" == "_ptransform" ]]; then
  _ptransform "$@"
else
  compdef _ptransform ptransform
fi
`

// completeFlagsOnly completes a command's flags when the word being completed starts
// with "-"; anything else is an input path, which the shell completes itself.
func completeFlagsOnly(c *cli.Context) {
	if n := len(os.Args); n > 2 && strings.HasPrefix(os.Args[n-2], "-") {
		cli.DefaultCompleteWithFlags(c.Command)(c)
	}
}

func completionCommand() *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script: bash, zsh or fish",
		ArgsUsage: "bash|zsh|fish",
		UsageText: `ptransform completion bash|zsh|fish

Prints the completion script of a shell; 'make install' puts them in place. By hand:

  bash:  source <(ptransform completion bash)      (in ~/.bashrc)
  zsh:   ptransform completion zsh > "${fpath[1]}/_ptransform"
  fish:  ptransform completion fish > ~/.config/fish/completions/ptransform.fish`,
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return &apply.UsageError{Err: fmt.Errorf("completion wants one shell: bash, zsh or fish")}
			}
			return writeCompletion(c.App.Writer, c.App, c.Args().First())
		},
	}
}

func writeCompletion(w io.Writer, app *cli.App, shell string) error {
	var script string
	switch shell {
	case "bash":
		script = bashCompletion
	case "zsh":
		script = zshCompletion
	case "fish":
		var err error
		if script, err = app.ToFishCompletion(); err != nil {
			return err
		}
	default:
		return &apply.UsageError{Err: fmt.Errorf("no completion for shell %q (want bash, zsh or fish)", shell)}
	}
	_, err := io.WriteString(w, script)
	return err
}

func manCommand() *cli.Command {
	return &cli.Command{
		Name:  "man",
		Usage: "print the manual page (roff): ptransform man > ptransform.1",
		Action: func(c *cli.Context) error {
			page, err := c.App.ToManWithSection(1)
			if err != nil {
				return err
			}
			_, err = io.WriteString(c.App.Writer, page)
			return err
		},
	}
}
