package ui

// formAPI are the routes of evaluation forms, evaluations, disputes and coaching.
func (s *Server) formAPI() []route { return nil }
