package ui

import (
	"net/http"
	"regexp"
	"strings"

	"github.com/labstack/echo/v4"
)

// The OpenAPI document is built from the route table, the same table that
// mounts the routes and checks roles, so it cannot drift from the code.
// It describes paths, methods, who may call each and how to sign in;
// request and response bodies are described in words, not schemas.

type openAPIDoc struct {
	OpenAPI    string                        `json:"openapi"`
	Info       map[string]string             `json:"info"`
	Paths      map[string]map[string]apiOp   `json:"paths"`
	Components map[string]map[string]apiAuth `json:"components"`
	Security   []map[string][]string         `json:"security"`
}

type apiOp struct {
	Summary    string                `json:"summary"`
	Parameters []apiParam            `json:"parameters,omitempty"`
	Security   []map[string][]string `json:"security,omitempty"`
	Roles      []string              `json:"x-roles"`
	Responses  map[string]apiResp    `json:"responses"`
}

type apiParam struct {
	Name     string            `json:"name"`
	In       string            `json:"in"`
	Required bool              `json:"required"`
	Schema   map[string]string `json:"schema"`
}

type apiResp struct {
	Description string `json:"description"`
}

type apiAuth struct {
	Type   string `json:"type"`
	Scheme string `json:"scheme,omitempty"`
	In     string `json:"in,omitempty"`
	Name   string `json:"name,omitempty"`
}

var pathParam = regexp.MustCompile(`:([a-zA-Z_]+)`)

// openAPI builds the document from the route table.
func (s *Server) openAPI() openAPIDoc {
	doc := openAPIDoc{
		OpenAPI: "3.1.0",
		Info:    map[string]string{"title": "Earshot API", "version": "1"},
		Paths:   map[string]map[string]apiOp{},
		Components: map[string]map[string]apiAuth{"securitySchemes": {
			"bearer":  {Type: "http", Scheme: "bearer"},
			"session": {Type: "apiKey", In: "cookie", Name: "earshot_session"},
		}},
		Security: []map[string][]string{{"bearer": {}}, {"session": {}}},
	}
	for _, r := range s.apiRoutes() {
		p := pathParam.ReplaceAllString(r.path, "{$1}")
		if doc.Paths[p] == nil {
			doc.Paths[p] = map[string]apiOp{}
		}
		doc.Paths[p][strings.ToLower(r.method)] = routeOp(r)
	}
	return doc
}

func routeOp(r route) apiOp {
	op := apiOp{Summary: r.summary, Roles: []string{}, Responses: map[string]apiResp{
		"200": {Description: "success"},
		"400": {Description: `bad request: {"error": "..."} names the field`},
		"404": {Description: "not found"},
	}}
	for _, m := range pathParam.FindAllStringSubmatch(r.path, -1) {
		op.Parameters = append(op.Parameters, apiParam{
			Name: m[1], In: "path", Required: true, Schema: map[string]string{"type": "string"},
		})
	}
	if r.public {
		op.Security = []map[string][]string{}
		return op
	}
	op.Responses["401"] = apiResp{Description: "not signed in"}
	op.Responses["403"] = apiResp{Description: "the caller's roles do not allow it"}
	for _, role := range r.roles {
		op.Roles = append(op.Roles, string(role))
	}
	return op
}

func (s *Server) serveOpenAPI(c echo.Context) error {
	return c.JSON(http.StatusOK, s.openAPI())
}
