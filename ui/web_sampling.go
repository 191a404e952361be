package ui

import "github.com/labstack/echo/v4"

// mountWebSampling registers the sampling pages.
func (s *Server) mountWebSampling(g *echo.Group) {}
