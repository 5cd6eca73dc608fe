package benchdata

import (
	"bufio"
	"io"
	"math/rand/v2"
	"strconv"
	"time"
)

// The lookup benchmark (issue 12): orders looked up against products by product_id.
// Products have ids 1..products; about 1% of orders name an id past them, which no
// product has, so a left join leaves their columns empty.

var statuses = []string{"paid", "shipped", "pending", "cancelled", "refunded"}

// WriteOrders writes rows orders, about 100 bytes each: order_id,product_id,customer,
// qty,date,status,amount,note.
func WriteOrders(out io.Writer, rows, products int) error {
	w := bufio.NewWriterSize(out, 1<<20)
	rng := rand.New(rand.NewPCG(42, 2))
	day0 := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	var line []byte
	w.WriteString("order_id,product_id,customer,qty,date,status,amount,note\n")
	for i := 1; i <= rows; i++ {
		line = strconv.AppendInt(line[:0], int64(i), 10)
		line = append(line, ',')
		id := 1 + rng.IntN(products)
		if rng.IntN(100) == 0 {
			id += products // a product that does not exist
		}
		line = strconv.AppendInt(line, int64(id), 10)
		line = append(line, ",c"...)
		line = strconv.AppendInt(line, int64(100000+rng.IntN(900000)), 10)
		line = append(line, ',')
		line = strconv.AppendInt(line, int64(1+rng.IntN(20)), 10)
		line = append(line, ',')
		line = day0.AddDate(0, 0, rng.IntN(1800)).AppendFormat(line, "2006-01-02")
		line = append(line, ',')
		line = append(line, statuses[rng.IntN(len(statuses))]...)
		line = append(line, ',')
		line = strconv.AppendFloat(line, float64(rng.IntN(10000000))/100, 'f', 2, 64)
		line = append(line, ',')
		for n := 30 + rng.IntN(31); n > 0; n-- {
			line = append(line, letters[rng.IntN(len(letters))])
		}
		line = append(line, '\n')
		if _, err := w.Write(line); err != nil {
			return err
		}
	}
	return w.Flush()
}

// WriteProducts writes products 1..n: product_id,name,price,category.
func WriteProducts(out io.Writer, n int) error {
	w := bufio.NewWriterSize(out, 1<<20)
	rng := rand.New(rand.NewPCG(42, 3))
	var line []byte
	w.WriteString("product_id,name,price,category\n")
	for i := 1; i <= n; i++ {
		line = strconv.AppendInt(line[:0], int64(i), 10)
		line = append(line, ",Product "...)
		for k := 5 + rng.IntN(11); k > 0; k-- {
			line = append(line, letters[rng.IntN(52)])
		}
		line = append(line, ',')
		line = strconv.AppendInt(line, int64(1+rng.IntN(500)), 10)
		line = append(line, '.')
		line = strconv.AppendInt(line, int64(1+rng.IntN(9)), 10) // no trailing zero: read as a float column
		line = append(line, ',')
		line = append(line, categories[rng.IntN(len(categories))]...)
		line = append(line, '\n')
		if _, err := w.Write(line); err != nil {
			return err
		}
	}
	return w.Flush()
}
