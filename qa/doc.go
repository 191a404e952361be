// Package qa is the quality-assurance domain of Earshot: people and roles,
// teams and agents, evaluation forms and their scoring, random sampling of
// calls across agents, evaluations, disputes, coaching and reports.
//
// It keeps its tables in the catalog's SQLite database, under its own
// migration namespace, and reads calls from the catalog. It knows nothing
// of the web: the ui package exposes it.
package qa
