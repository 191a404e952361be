package ui

import "github.com/labstack/echo/v4"

// mountWebDashboards registers the dashboards pages.
func (s *Server) mountWebDashboards(g *echo.Group) {}
