package catalog

import (
	"errors"
	"fmt"
	"slices"
)

// errUnknownOrder is the error of an Order not in Orders.
var errUnknownOrder = errors.New("unknown order")

// Order is the order in which List returns calls. Every order has an
// index over (column, id), so that a page deep into a million calls costs
// what the first one does: the cursor is a position in that index, not an
// offset.
type Order string

// The orders. Ties are broken by id, in the same direction.
const (
	// OrderNewest lists the latest start first; the zero Order.
	OrderNewest Order = ""
	// OrderOldest lists the earliest start first.
	OrderOldest Order = "oldest"
	// OrderLongest and OrderShortest order by duration.
	OrderLongest  Order = "longest"
	OrderShortest Order = "shortest"
	// OrderOvertalk lists the most overtalk first, and OrderSilence the
	// longest single silence first. Calls without talk metrics have no
	// place in these orders and are left out of such a list.
	OrderOvertalk Order = "overtalk"
	OrderSilence  Order = "silence"
)

// Orders lists every order, the default first.
var Orders = []Order{OrderNewest, OrderOldest, OrderLongest, OrderShortest, OrderOvertalk, OrderSilence}

// orderSpec is how an order reads in SQL.
type orderSpec struct {
	column string
	desc   bool
	// needsValue leaves out rows whose column is NULL, where a keyset
	// comparison would be NULL and the cursor would lose its place.
	needsValue bool
}

func (o Order) spec() (orderSpec, error) {
	switch o {
	case OrderNewest:
		return orderSpec{column: "started_at", desc: true}, nil
	case OrderOldest:
		return orderSpec{column: "started_at"}, nil
	case OrderLongest:
		return orderSpec{column: "duration_ms", desc: true}, nil
	case OrderShortest:
		return orderSpec{column: "duration_ms"}, nil
	case OrderOvertalk:
		return orderSpec{column: "overtalk_ms", desc: true, needsValue: true}, nil
	case OrderSilence:
		return orderSpec{column: "longest_silence_ms", desc: true, needsValue: true}, nil
	}
	return orderSpec{}, fmt.Errorf("%w %q: use newest, oldest, longest, shortest, overtalk or silence",
		errUnknownOrder, string(o))
}

// Valid reports whether o is one of Orders.
func (o Order) Valid() bool { return slices.Contains(Orders, o) }

// orderBy is the ORDER BY clause of the spec.
func (s orderSpec) orderBy() string {
	dir := "ASC"
	if s.desc {
		dir = "DESC"
	}
	return fmt.Sprintf(" ORDER BY c.%s %s, c.id %s", s.column, dir, dir)
}

// after is the keyset condition that starts a page after the call id.
// The column's value is read in the same statement, so a deleted cursor
// call compares as NULL and matches nothing; cursorExists tells the two
// apart.
func (s orderSpec) after() string {
	op := ">"
	if s.desc {
		op = "<"
	}
	return fmt.Sprintf("(c.%s, c.id) %s ((SELECT %s FROM calls WHERE id = ?), ?)", s.column, op, s.column)
}
