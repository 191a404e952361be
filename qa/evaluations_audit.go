package qa

import (
	"context"
	"strconv"
)

// auditQA records in the audit log what caller did to an object of the
// forms and evaluations part. The change is already committed when it is
// called, so a failure to record it is logged, not returned: the caller
// must not retry a change that happened.
func (s *Service) auditQA(
	ctx context.Context,
	caller *User,
	action, objectType string,
	id int64,
	detail map[string]any,
) {
	e := Entry{User: caller, Action: action, ObjectType: objectType,
		ObjectID: strconv.FormatInt(id, 10), Detail: detail}
	if err := s.Audit(ctx, e); err != nil {
		s.log.Error("audit entry lost", "action", action, "object_type", objectType,
			"object_id", id, "err", err)
	}
}
