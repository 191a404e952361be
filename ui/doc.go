// Package ui serves Earshot over HTTP: the health and readiness probes, the
// Prometheus metrics and, as they are added, the JSON API and the reviewers'
// web app. It is the only package that knows the web; it calls into the QA
// and storage packages for everything it shows.
package ui
