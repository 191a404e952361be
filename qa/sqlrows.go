package qa

import "database/sql"

// collect reads every row of rows with scan and closes rows. The result
// is empty, not nil, when there are no rows, so that it encodes as [].
func collect[T any](
	rows *sql.Rows,
	scan func(interface{ Scan(...any) error }) (*T, error),
) ([]T, error) {
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *v)
	}
	return out, rows.Err()
}
