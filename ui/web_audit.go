package ui

import "github.com/labstack/echo/v4"

// mountWebAudit registers the audit pages.
func (s *Server) mountWebAudit(g *echo.Group) {}
