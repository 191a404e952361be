package ui

import "github.com/labstack/echo/v4"

// mountWebForms registers the forms pages.
func (s *Server) mountWebForms(g *echo.Group) {}
