package qa

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/mattn/go-sqlite3"
)

// Team is a group of agents, such as the billing line.
type Team struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	// Agents is the number of agents in the team, inactive ones included.
	Agents int `json:"agents"`
}

// maxNameLen bounds team and agent names, which are shown in lists.
const maxNameLen = 200

// checkName trims a team or agent name and checks it is usable.
func checkName(field, name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", &InputError{Field: field, Msg: "give a name"}
	case len(name) > maxNameLen:
		return "", &InputError{Field: field, Msg: fmt.Sprintf("keep it under %d bytes", maxNameLen)}
	}
	return name, nil
}

// constraintCode returns the SQLite constraint that err reports, or 0.
func constraintCode(err error) sqlite3.ErrNoExtended {
	var se sqlite3.Error
	if errors.As(err, &se) && se.Code == sqlite3.ErrConstraint {
		return se.ExtendedCode
	}
	return 0
}

// CreateTeam adds a team. A name already taken is ErrConflict.
func (s *Service) CreateTeam(ctx context.Context, name string) (*Team, error) {
	name, err := checkName("name", name)
	if err != nil {
		return nil, err
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO teams (name) VALUES (?)`, name)
	if constraintCode(err) == sqlite3.ErrConstraintUnique {
		return nil, fmt.Errorf("team %q already exists: %w", name, ErrConflict)
	}
	if err != nil {
		return nil, fmt.Errorf("create team: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return nil, fmt.Errorf("create team: %w", err)
	}
	return &Team{ID: id, Name: name}, nil
}

// RenameTeam changes a team's name.
func (s *Service) RenameTeam(ctx context.Context, id int64, name string) (*Team, error) {
	name, err := checkName("name", name)
	if err != nil {
		return nil, err
	}
	res, err := s.db.ExecContext(ctx, `UPDATE teams SET name = ? WHERE id = ?`, name, id)
	if constraintCode(err) == sqlite3.ErrConstraintUnique {
		return nil, fmt.Errorf("team %q already exists: %w", name, ErrConflict)
	}
	if err != nil {
		return nil, fmt.Errorf("rename team %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, fmt.Errorf("team %d: %w", id, ErrNotFound)
	}
	return s.GetTeam(ctx, id)
}

// DeleteTeam removes a team; its agents stay, without a team.
func (s *Service) DeleteTeam(ctx context.Context, id int64) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM teams WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete team %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("team %d: %w", id, ErrNotFound)
	}
	return nil
}

const teamQuery = `SELECT t.id, t.name, (SELECT count(*) FROM agents a WHERE a.team_id = t.id)
FROM teams t`

// GetTeam returns one team, or ErrNotFound.
func (s *Service) GetTeam(ctx context.Context, id int64) (*Team, error) {
	var t Team
	err := s.db.QueryRowContext(ctx, teamQuery+` WHERE t.id = ?`, id).Scan(&t.ID, &t.Name, &t.Agents)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("team %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get team %d: %w", id, err)
	}
	return &t, nil
}

// ListTeams returns every team, by name.
func (s *Service) ListTeams(ctx context.Context) ([]Team, error) {
	rows, err := s.db.QueryContext(ctx, teamQuery+` ORDER BY t.name, t.id`)
	if err != nil {
		return nil, fmt.Errorf("list teams: %w", err)
	}
	defer rows.Close()
	out := []Team{}
	for rows.Next() {
		var t Team
		if err := rows.Scan(&t.ID, &t.Name, &t.Agents); err != nil {
			return nil, fmt.Errorf("list teams: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list teams: %w", err)
	}
	return out, nil
}
