package qa

import "errors"

// Errors the API maps to statuses. Wrapped with the object that was
// looked for or refused.
var (
	// ErrNotFound: 404.
	ErrNotFound = errors.New("qa: not found")
	// ErrForbidden: 403, the caller's role does not allow it.
	ErrForbidden = errors.New("qa: forbidden")
	// ErrConflict: 409, the object's state does not allow it now.
	ErrConflict = errors.New("qa: conflict")
	// ErrUnauthenticated: 401, bad or missing credentials.
	ErrUnauthenticated = errors.New("qa: not signed in")
)

// InputError is a request that cannot be carried out as given: 400, with
// the field and what to change.
type InputError struct {
	Field string
	Msg   string
}

// Error names the field, then what to change.
func (e *InputError) Error() string {
	if e.Field == "" {
		return e.Msg
	}
	return e.Field + ": " + e.Msg
}
