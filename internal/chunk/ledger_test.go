package chunk

import (
	"context"
	"math/rand"
	"sync"
	"testing"
	"time"
)

func TestLedgerBasesFromOutOfOrderPublishes(t *testing.T) {
	// Two sources: seq 0..5 from the first, 6..9 from the second (6 restarts the sum).
	counts := []Counts{{3, 4}, {5, 5}, {0, 0}, {7, 9}, {1, 1}, {2, 2}, {10, 10}, {1, 2}, {4, 4}, {6, 6}}
	restart := map[int]bool{0: true, 6: true}
	want := []Counts{{0, 0}, {3, 4}, {8, 9}, {8, 9}, {15, 18}, {16, 19}, {0, 0}, {10, 10}, {11, 12}, {15, 16}}
	for trial := 0; trial < 50; trial++ {
		l := NewLedger(0, Counts{}, len(counts))
		got := make([]Counts, len(counts))
		var wg sync.WaitGroup
		for _, i := range rand.Perm(len(counts)) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				time.Sleep(time.Duration(rand.Intn(100)) * time.Microsecond)
				l.Publish(int64(i), restart[i], counts[i])
				b, err := l.Base(context.Background(), int64(i), restart[i])
				if err != nil {
					t.Error(err)
				}
				got[i] = b
			}()
		}
		wg.Wait()
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("trial %d: base of %d = %v, want %v", trial, i, got[i], want[i])
			}
		}
	}
}

func TestLedgerBaseUnblocksOnCancel(t *testing.T) {
	l := NewLedger(0, Counts{}, 4)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := l.Base(ctx, 3, false) // 0..2 never published
		done <- err
	}()
	time.Sleep(10 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("Base returned no error after cancel")
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Base still blocked after cancel")
	}
}

func TestLedgerResumesFromBase(t *testing.T) {
	l := NewLedger(7, Counts{Rows: 100, Lines: 120}, 2)
	l.Publish(7, false, Counts{5, 6})
	b, err := l.Base(context.Background(), 8, false)
	if err != nil || b != (Counts{105, 126}) {
		t.Fatalf("base = %v, %v", b, err)
	}
}
