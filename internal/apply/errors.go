package apply

import "errors"

// UsageError marks an error in how ptransform was called (flags, expressions, column
// names): found before any data is read, it exits with status 2 and creates no output.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

func usage(err error) error {
	if err == nil {
		return nil
	}
	var u *UsageError
	var r *setupError
	if errors.As(err, &u) || errors.As(err, &r) {
		return err
	}
	return &UsageError{err}
}

// setupError marks an error that usage leaves alone although it happens while the
// run is set up: the reading of a --lookup reference (bad data, a duplicate key).
type setupError struct{ Err error }

func (e *setupError) Error() string { return e.Err.Error() }
func (e *setupError) Unwrap() error { return e.Err }

func setupFailure(err error) error {
	if err == nil {
		return nil
	}
	return &setupError{err}
}

// ErrInterrupted is the cause given to the run's context when the user interrupts it.
var ErrInterrupted = errors.New("interrupted")
