package ui

import "github.com/labstack/echo/v4"

// mountWebDisputes registers the disputes pages.
func (s *Server) mountWebDisputes(g *echo.Group) {}
