package ui

// samplingAPI are the routes of sampling plans and draws.
func (s *Server) samplingAPI() []route { return nil }
