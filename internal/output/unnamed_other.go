//go:build !linux

package output

import (
	"errors"
	"os"
)

var errNoUnnamed = errors.New("no unnamed temporary files on this system")

// openUnnamed fails: elsewhere than on Linux temporary files are named (openNamed).
func openUnnamed(string) (*os.File, error) { return nil, errNoUnnamed }

func linkUnnamed(*os.File, string) error { return errNoUnnamed }

func linkUnnamedTemporary(*os.File, string) (string, error) { return "", errNoUnnamed }
