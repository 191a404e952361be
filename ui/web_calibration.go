package ui

import "github.com/labstack/echo/v4"

// mountWebCalibration registers the calibration pages.
func (s *Server) mountWebCalibration(g *echo.Group) {}
