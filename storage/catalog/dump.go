package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// dumpTables are the tables Reindex rebuilds from the store. Tables of
// other packages and schema_migrations (whose rows carry the time they were
// applied) are left out, as they are not rebuilt.
var dumpTables = append([]string{"calls"}, childTables...)

// Dump renders every row of the catalog's tables as text: for each table,
// its name and columns, then one JSON array per row, rows sorted. Two
// catalogs that hold the same calls dump to the same text, whatever order
// the calls were indexed in. It is meant for tests and diagnostics, and
// reads the whole catalog into memory.
func (c *Catalog) Dump(ctx context.Context) (string, error) {
	// One transaction, so that all tables come from the same moment.
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return "", fmt.Errorf("dump catalog: %w", err)
	}
	defer tx.Rollback()

	var b strings.Builder
	for _, table := range dumpTables {
		if err := dumpTable(ctx, tx, table, &b); err != nil {
			return "", fmt.Errorf("dump catalog: %s: %w", table, err)
		}
	}
	return b.String(), nil
}

func dumpTable(ctx context.Context, q querier, table string, b *strings.Builder) error {
	// table comes from dumpTables, never from input.
	rows, err := q.QueryContext(ctx, "SELECT * FROM "+table)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	var lines []string
	for rows.Next() {
		line, err := dumpRow(rows, len(cols))
		if err != nil {
			return err
		}
		lines = append(lines, line)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	slices.Sort(lines)

	fmt.Fprintf(b, "%s (%s) %d rows\n", table, strings.Join(cols, ", "), len(lines))
	for _, line := range lines {
		b.WriteString("  " + line + "\n")
	}
	return nil
}

// dumpRow renders the current row as a JSON array. Text comes back from the
// driver as bytes, which JSON would encode as base64: it is made a string.
func dumpRow(rows *sql.Rows, n int) (string, error) {
	vals := make([]any, n)
	ptrs := make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return "", err
	}
	for i, v := range vals {
		if bs, ok := v.([]byte); ok {
			vals[i] = string(bs)
		}
	}
	line, err := json.Marshal(vals)
	return string(line), err
}
