package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"unicode"

	"earshot/storage"
)

// minDigitTail is the shortest tail of a number that is indexed: searching
// for two digits would match most calls and help nobody.
const minDigitTail = 3

// uriSchemes are words every address has; indexing them would make every
// call match a search for them.
var uriSchemes = map[string]bool{"sip": true, "sips": true, "tel": true}

// searchWords splits s where unicode61, the index's tokenizer, does: at
// anything that is not a letter or a digit.
func searchWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

func allDigits(w string) bool {
	for _, r := range w {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// searchTerms is what the index holds for a call's participants.
func searchTerms(ps []storage.Participant) string {
	var terms []string
	for _, p := range ps {
		for _, w := range searchWords(p.Name + " " + p.SIPAddress) {
			if uriSchemes[w] {
				continue
			}
			terms = append(terms, w)
			if allDigits(w) {
				for i := 1; len(w)-i >= minDigitTail; i++ {
					terms = append(terms, w[i:])
				}
			}
		}
	}
	return strings.Join(terms, " ")
}

// searchMatch turns what a person typed into an FTS query: every word must
// begin a word of a name or an address, or, for digits, appear anywhere in
// a number. It returns "" when the text has no word to look for.
func searchMatch(text string) string {
	words := searchWords(text)
	for i, w := range words {
		words[i] = w + "*"
	}
	return strings.Join(words, " ")
}

// indexSearch replaces the search terms of the call with rowid.
func indexSearch(ctx context.Context, tx *sql.Tx, id string, ps []storage.Participant) error {
	var rowid int64
	if err := tx.QueryRowContext(ctx, `SELECT rowid FROM calls WHERE id = ?`, id).Scan(&rowid); err != nil {
		return fmt.Errorf("find call row: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM participant_search WHERE docid = ?`, rowid); err != nil {
		return fmt.Errorf("clear search terms: %w", err)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO participant_search (docid, terms) VALUES (?, ?)`,
		rowid, searchTerms(ps))
	if err != nil {
		return fmt.Errorf("index search terms: %w", err)
	}
	return nil
}

// runTasks does what migrations left for Go: today, the search terms of
// calls indexed before the search index existed. The holds of such calls
// are no task: they need the object store (see Marks.HoldsUnknown).
func (c *Catalog) runTasks(ctx context.Context) error {
	var n int
	err := c.db.QueryRowContext(ctx, `SELECT count(*) FROM catalog_tasks
        WHERE name = 'participant_search_backfill'`).Scan(&n)
	if err != nil || n == 0 {
		return err
	}
	c.log.Info("building the participant search index")
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := backfillSearch(ctx, tx); err != nil {
		return fmt.Errorf("build participant search index: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM catalog_tasks WHERE name = 'participant_search_backfill'`); err != nil {
		return err
	}
	return tx.Commit()
}

// backfillSearch indexes every call's participants, a call at a time.
func backfillSearch(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT c.rowid, p.name, p.sip_address FROM calls c
        JOIN participants p ON p.call_id = c.id ORDER BY c.rowid, p.position`)
	if err != nil {
		return err
	}
	type doc struct {
		rowid int64
		ps    []storage.Participant
	}
	var docs []doc
	for rows.Next() {
		var rowid int64
		var p storage.Participant
		if err := rows.Scan(&rowid, &p.Name, &p.SIPAddress); err != nil {
			rows.Close()
			return err
		}
		if len(docs) == 0 || docs[len(docs)-1].rowid != rowid {
			docs = append(docs, doc{rowid: rowid})
		}
		docs[len(docs)-1].ps = append(docs[len(docs)-1].ps, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, d := range docs {
		_, err := tx.ExecContext(ctx, `INSERT INTO participant_search (docid, terms) VALUES (?, ?)`,
			d.rowid, searchTerms(d.ps))
		if err != nil {
			return err
		}
	}
	return nil
}
