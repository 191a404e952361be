package ui

// reportAPI are the routes of reports.
func (s *Server) reportAPI() []route { return nil }
