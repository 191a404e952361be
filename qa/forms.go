package qa

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/mattn/go-sqlite3"
)

// Form is an evaluation form and its newest version.
type Form struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	// Latest is the version new evaluations are scored with.
	Latest FormVersion `json:"latest"`
}

// FormVersion is one version of a form. Evaluations keep the version they
// were scored with, so a version's scoring never changes; its wording may
// (see UpdateForm).
type FormVersion struct {
	ID         int64          `json:"id"`
	FormID     int64          `json:"form_id"`
	Version    int            `json:"version"`
	Definition FormDefinition `json:"definition"`
	CreatedAt  time.Time      `json:"created_at"`
	CreatedBy  *int64         `json:"created_by,omitempty"`
	// UpdatedAt is the last wording edit made in place, or CreatedAt.
	UpdatedAt time.Time `json:"updated_at"`
}

// mayEditForms: forms are the calibrated definitions everyone is scored
// against, so only the people who run QA change them.
func mayEditForms(caller *User) error {
	if !caller.HasAny(RoleAdmin, RoleManager) {
		return fmt.Errorf("edit forms: needs the manager or admin role: %w", ErrForbidden)
	}
	return nil
}

// CreateForm stores a new form as its version 1. The definition is
// normalized (zero weights become 1) and validated; a problem is an
// *InputError, a name already used ErrConflict. Managers and admins only.
func (s *Service) CreateForm(ctx context.Context, caller *User, def FormDefinition) (*Form, error) {
	if err := mayEditForms(caller); err != nil {
		return nil, err
	}
	def.normalize()
	if err := def.Validate(); err != nil {
		return nil, err
	}
	body, err := json.Marshal(def)
	if err != nil {
		return nil, fmt.Errorf("create form: %w", err)
	}
	now := s.nowMS()
	var id int64
	err = s.formTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO forms (name, created_at) VALUES (?, ?)`,
			def.Name, now)
		if err != nil {
			return formWriteError(def.Name, err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO form_versions
			(form_id, version, definition, created_at, created_by, updated_at)
			VALUES (?, 1, ?, ?, ?, ?)`,
			id, string(body), now, caller.ID, now)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("create form: %w", err)
	}
	s.log.Info("form created", "form_id", id, "user_id", caller.ID)
	s.auditQA(ctx, caller, ActionCreate, "form", id, map[string]any{"version": 1})
	return s.GetForm(ctx, id)
}

// UpdateForm replaces a form's definition. If the change can alter a score
// (questions or sections added, removed or moved; answer types; weights;
// points; critical settings; scale bounds; N/A allowance), it becomes a
// new version and earlier evaluations keep theirs. A change of wording
// only (name, titles, texts, guidance, labels, order) edits the latest
// version in place, even if evaluations use it: their scores cannot
// change, and the wording of earlier edits is not kept. It returns the
// latest version after the change. Managers and admins only.
func (s *Service) UpdateForm(
	ctx context.Context,
	caller *User,
	formID int64,
	def FormDefinition,
) (*FormVersion, error) {
	if err := mayEditForms(caller); err != nil {
		return nil, err
	}
	def.normalize()
	if err := def.Validate(); err != nil {
		return nil, err
	}
	var out *FormVersion
	err := s.formTx(ctx, func(tx *sql.Tx) error {
		latest, err := latestVersion(ctx, tx, formID)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE forms SET name = ? WHERE id = ?`, def.Name, formID)
		if err != nil {
			return formWriteError(def.Name, err)
		}
		out, err = s.storeRevision(ctx, tx, caller, latest, def)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("update form %d: %w", formID, err)
	}
	s.log.Info("form updated", "form_id", formID, "version", out.Version, "user_id", caller.ID)
	s.auditQA(ctx, caller, ActionChange, "form", formID, map[string]any{"version": out.Version})
	return out, nil
}

// storeRevision writes def over latest, or as a new version after it.
func (s *Service) storeRevision(
	ctx context.Context,
	tx *sql.Tx,
	caller *User,
	latest *FormVersion,
	def FormDefinition,
) (*FormVersion, error) {
	body, err := json.Marshal(def)
	if err != nil {
		return nil, err
	}
	if old, err := json.Marshal(latest.Definition); err == nil && bytes.Equal(old, body) {
		return latest, nil // nothing changed
	}
	now := s.nowMS()
	next := *latest
	next.Definition = def
	next.UpdatedAt = time.UnixMilli(now).UTC()
	if bytes.Equal(scoringShape(latest.Definition), scoringShape(def)) {
		// An edit is later than the version and than any edit before it,
		// even within the same millisecond: readers tell an edited
		// version by UpdatedAt after CreatedAt.
		now = max(now, latest.UpdatedAt.UnixMilli()+1)
		next.UpdatedAt = time.UnixMilli(now).UTC()
		_, err = tx.ExecContext(ctx, `UPDATE form_versions SET definition = ?, updated_at = ?
			WHERE id = ?`, string(body), now, latest.ID)
		return &next, err
	}
	next.Version++
	next.CreatedAt, next.CreatedBy = next.UpdatedAt, &caller.ID
	res, err := tx.ExecContext(ctx, `INSERT INTO form_versions
		(form_id, version, definition, created_at, created_by, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)`,
		latest.FormID, next.Version, string(body), now, caller.ID, now)
	if err != nil {
		return nil, err
	}
	next.ID, err = res.LastInsertId()
	return &next, err
}

// GetForm returns a form with its latest version.
func (s *Service) GetForm(ctx context.Context, id int64) (*Form, error) {
	f := Form{ID: id}
	var created int64
	err := s.db.QueryRowContext(ctx, `SELECT name, created_at FROM forms WHERE id = ?`, id).
		Scan(&f.Name, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("form %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get form %d: %w", id, err)
	}
	f.CreatedAt = time.UnixMilli(created).UTC()
	latest, err := latestVersion(ctx, s.db, id)
	if err != nil {
		return nil, fmt.Errorf("get form %d: %w", id, err)
	}
	f.Latest = *latest
	return &f, nil
}

// ListForms returns every form with its latest version, by name.
func (s *Service) ListForms(ctx context.Context) ([]Form, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT f.id, f.name, f.created_at, `+versionColumns+`
		FROM forms f JOIN form_versions v ON v.form_id = f.id
		WHERE v.version = (SELECT max(version) FROM form_versions WHERE form_id = f.id)
		ORDER BY f.name, f.id`)
	if err != nil {
		return nil, fmt.Errorf("list forms: %w", err)
	}
	defer rows.Close()
	out := []Form{}
	for rows.Next() {
		var f Form
		var created int64
		v, err := scanFormVersion(rows, &f.ID, &f.Name, &created)
		if err != nil {
			return nil, fmt.Errorf("list forms: %w", err)
		}
		f.CreatedAt, f.Latest = time.UnixMilli(created).UTC(), *v
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list forms: %w", err)
	}
	return out, nil
}

// ListFormVersions returns every version of a form, oldest first.
func (s *Service) ListFormVersions(ctx context.Context, formID int64) ([]FormVersion, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+versionColumns+`
		FROM form_versions v WHERE v.form_id = ? ORDER BY v.version`, formID)
	if err != nil {
		return nil, fmt.Errorf("list versions of form %d: %w", formID, err)
	}
	defer rows.Close()
	var out []FormVersion
	for rows.Next() {
		v, err := scanFormVersion(rows)
		if err != nil {
			return nil, fmt.Errorf("list versions of form %d: %w", formID, err)
		}
		out = append(out, *v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list versions of form %d: %w", formID, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("form %d: %w", formID, ErrNotFound)
	}
	return out, nil
}

// GetFormVersion returns one version by its id (the form_version_id of an
// evaluation).
func (s *Service) GetFormVersion(ctx context.Context, id int64) (*FormVersion, error) {
	return formVersionByID(ctx, s.db, id)
}

// formQuerier is what reading a form needs: the database or a transaction.
type formQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// formRowScanner is a *sql.Row or *sql.Rows.
type formRowScanner interface{ Scan(dest ...any) error }

const versionColumns = `v.id, v.form_id, v.version, v.definition, v.created_at, v.created_by,
	v.updated_at`

func formVersionByID(ctx context.Context, q formQuerier, id int64) (*FormVersion, error) {
	row := q.QueryRowContext(ctx, `SELECT `+versionColumns+`
		FROM form_versions v WHERE v.id = ?`, id)
	v, err := scanFormVersion(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("form version %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get form version %d: %w", id, err)
	}
	return v, nil
}

func latestVersion(ctx context.Context, q formQuerier, formID int64) (*FormVersion, error) {
	row := q.QueryRowContext(ctx, `SELECT `+versionColumns+` FROM form_versions v
		WHERE v.form_id = ? ORDER BY v.version DESC LIMIT 1`, formID)
	v, err := scanFormVersion(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("form %d: %w", formID, ErrNotFound)
	}
	return v, err
}

// scanFormVersion reads versionColumns, after the columns in lead.
func scanFormVersion(row formRowScanner, lead ...any) (*FormVersion, error) {
	var v FormVersion
	var def string
	var created, updated int64
	var by sql.NullInt64
	dest := append(lead, &v.ID, &v.FormID, &v.Version, &def, &created, &by, &updated)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(def), &v.Definition); err != nil {
		return nil, fmt.Errorf("form version %d: stored definition: %w", v.ID, err)
	}
	v.CreatedAt, v.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	if by.Valid {
		v.CreatedBy = &by.Int64
	}
	return &v, nil
}

// formTx runs fn in a transaction, committed if fn returns nil.
func (s *Service) formTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

func formWriteError(name string, err error) error {
	var se sqlite3.Error
	if errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintUnique {
		return fmt.Errorf("a form named %q already exists: %w", name, ErrConflict)
	}
	return err
}

// scoringShape renders what of a definition can change a score, so that
// two definitions with equal shapes score every set of answers alike. It
// leaves out wording and order.
func scoringShape(d FormDefinition) []byte {
	type question struct {
		ID       string             `json:"id"`
		Type     AnswerType         `json:"type"`
		Weight   float64            `json:"weight"`
		AllowNA  bool               `json:"allow_na"`
		Critical Critical           `json:"critical"`
		Min      int                `json:"min"`
		Max      int                `json:"max"`
		Points   map[string]float64 `json:"points,omitempty"`
	}
	type section struct {
		ID        string     `json:"id"`
		Weight    float64    `json:"weight"`
		Questions []question `json:"questions"`
	}
	var shape []section
	for _, sec := range d.Sections {
		out := section{ID: sec.ID, Weight: sec.Weight}
		for _, q := range sec.Questions {
			sq := question{ID: q.ID, Type: q.Type, Weight: q.Weight, AllowNA: q.AllowNA,
				Critical: q.Critical, Min: q.Min, Max: q.Max}
			if q.Type == AnswerChoice {
				sq.Points = map[string]float64{}
				for _, o := range q.Options {
					sq.Points[o.Value] = o.Points
				}
			}
			out.Questions = append(out.Questions, sq)
		}
		slices.SortFunc(out.Questions, func(a, b question) int { return cmp.Compare(a.ID, b.ID) })
		shape = append(shape, out)
	}
	slices.SortFunc(shape, func(a, b section) int { return cmp.Compare(a.ID, b.ID) })
	b, _ := json.Marshal(shape) // plain structs of strings and numbers: cannot fail
	return b
}
