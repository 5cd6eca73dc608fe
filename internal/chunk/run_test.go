package chunk

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// squares runs a job over n tasks whose work takes a random time, recording what the
// writer saw and the largest number of tasks in flight.
func squares(t *testing.T, cfg Config, n int, failAt map[int]bool) ([]int, int64, error) {
	t.Helper()
	var inFlight, maxInFlight atomic.Int64
	var got []int
	err := Run(context.Background(), cfg, Job[int, int]{
		Plan: func(ctx context.Context, emit Emit[int]) error {
			for i := 0; i < n; i++ {
				if err := emit(i); err != nil {
					return err
				}
				v := inFlight.Add(1)
				for {
					m := maxInFlight.Load()
					if v <= m || maxInFlight.CompareAndSwap(m, v) {
						break
					}
				}
			}
			return nil
		},
		Work: func(ctx context.Context, worker int, seq int64, task int) (int, error) {
			time.Sleep(time.Duration(rand.Intn(300)) * time.Microsecond)
			if failAt[task] {
				return 0, fmt.Errorf("task %d failed", task)
			}
			return task * task, nil
		},
		Write: func(seq int64, r int, err error) error {
			inFlight.Add(-1)
			if err != nil {
				return err
			}
			got = append(got, r)
			return nil
		},
	})
	return got, maxInFlight.Load(), err
}

func TestRunKeepsOrderAndBoundsWindow(t *testing.T) {
	for _, cfg := range []Config{{Workers: 1, Window: 1}, {Workers: 2, Window: 2}, {Workers: 8, Window: 8}, {Workers: 4, Window: 16}} {
		t.Run(fmt.Sprintf("w%d_k%d", cfg.Workers, cfg.Window), func(t *testing.T) {
			got, maxInFlight, err := squares(t, cfg, 500, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 500 {
				t.Fatalf("wrote %d results, want 500", len(got))
			}
			for i, v := range got {
				if v != i*i {
					t.Fatalf("result %d = %d, want %d (out of order)", i, v, i*i)
				}
			}
			// +1: the planner counts a task just after emit returns, possibly before the
			// writer has given back the token of an earlier one.
			if maxInFlight > int64(cfg.Window)+1 {
				t.Errorf("%d tasks in flight, window is %d", maxInFlight, cfg.Window)
			}
		})
	}
}

func TestRunReportsFirstErrorInInputOrder(t *testing.T) {
	for i := 0; i < 20; i++ {
		_, _, err := squares(t, Config{Workers: 8, Window: 32}, 200, map[int]bool{150: true, 40: true, 41: true})
		if err == nil || err.Error() != "task 40 failed" {
			t.Fatalf("err = %v, want task 40's error", err)
		}
	}
}

func TestRunEmptyPlan(t *testing.T) {
	got, _, err := squares(t, Config{Workers: 3}, 0, nil)
	if err != nil || len(got) != 0 {
		t.Fatalf("got %v, %v", got, err)
	}
}

func TestRunPlanErrorStopsEverything(t *testing.T) {
	boom := errors.New("cannot read input")
	err := Run(context.Background(), Config{Workers: 2, Window: 4}, Job[int, int]{
		Plan: func(ctx context.Context, emit Emit[int]) error {
			for i := 0; i < 3; i++ {
				if err := emit(i); err != nil {
					return err
				}
			}
			return boom
		},
		Work:  func(ctx context.Context, w int, seq int64, t int) (int, error) { return t, nil },
		Write: func(seq int64, r int, err error) error { return err },
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want %v", err, boom)
	}
}

func TestRunCancelledFromOutside(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	written := 0
	err := Run(ctx, Config{Workers: 2, Window: 4}, Job[int, int]{
		Plan: func(ctx context.Context, emit Emit[int]) error {
			for i := 0; ; i++ {
				if err := emit(i); err != nil {
					return err
				}
			}
		},
		Work: func(ctx context.Context, w int, seq int64, t int) (int, error) { return t, nil },
		Write: func(seq int64, r int, err error) error {
			if written++; written == 100 {
				cancel()
			}
			return nil
		},
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestRunWriteErrorStops(t *testing.T) {
	closed := errors.New("broken pipe")
	err := Run(context.Background(), Config{Workers: 2, Window: 4}, Job[int, int]{
		Plan: func(ctx context.Context, emit Emit[int]) error {
			for i := 0; ; i++ {
				if err := emit(i); err != nil {
					return err
				}
			}
		},
		Work:  func(ctx context.Context, w int, seq int64, t int) (int, error) { return t, nil },
		Write: func(seq int64, r int, err error) error { return closed },
	})
	if !errors.Is(err, closed) {
		t.Fatalf("err = %v, want %v", err, closed)
	}
}

func TestRunTurnsPanicsIntoErrors(t *testing.T) {
	err := Run(context.Background(), Config{Workers: 2, Window: 4}, Job[int, int]{
		Plan: func(ctx context.Context, emit Emit[int]) error {
			for i := 0; i < 10; i++ {
				if err := emit(i); err != nil {
					return err
				}
			}
			return nil
		},
		Work: func(ctx context.Context, w int, seq int64, t int) (int, error) {
			if t == 7 {
				var m map[string]int
				//lint:ignore SA5000 the worker's panic is what this test is about
				m["boom"] = 1
			}
			return t, nil
		},
		Write: func(seq int64, r int, err error) error { return err },
	})
	if err == nil || !strings.Contains(err.Error(), "internal error: assignment to entry in nil map") {
		t.Fatalf("err = %v", err)
	}
}
