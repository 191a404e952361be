package ui

// agentAPI are the routes of teams, agents and their SIP identities.
func (s *Server) agentAPI() []route { return nil }
