package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

func inspectCommand() *cli.Command {
	return &cli.Command{
		Name:  "inspect",
		Usage: "describe inputs: format, sheets, columns and their types, first rows",
		Action: func(c *cli.Context) error {
			return errors.New("inspect: not implemented yet")
		},
	}
}
