package main

import (
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

// tokens holds the tokens a login issued and the policies each carries. Requests with an issued
// token are checked against those policies the way Vault's ACLs decide, in the subset crashdesk's
// policies use: exact paths, a trailing `*` glob and `+` for one segment; capabilities read,
// create/update (a write needs either: the dev server does not tell creating from updating),
// delete, list and deny; of the rules that match, the most specific decides, and a deny wins.
type tokens struct {
	mu     sync.Mutex
	issued map[string]issuedToken
}

type issuedToken struct {
	policies []string
	expires  time.Time
}

func (t *tokens) issue(token string, policies []string, ttl time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.issued[token] = issuedToken{policies: policies, expires: time.Now().Add(ttl)}
}

func (t *tokens) lookup(token string) (issuedToken, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	found, ok := t.issued[token]
	if ok && time.Now().After(found.expires) {
		delete(t.issued, token)
		return issuedToken{}, false
	}
	return found, ok
}

type rule struct {
	path         string
	capabilities []string
}

var ruleSyntax = regexp.MustCompile(`(?s)path\s+"([^"]+)"\s*\{\s*capabilities\s*=\s*\[([^\]]*)\]\s*\}`)

// parsePolicy reads the `path "…" { capabilities = [...] }` rules of an HCL policy, comments aside.
func parsePolicy(text string) []rule {
	var lines []string
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			lines = append(lines, line)
		}
	}
	var rules []rule
	for _, match := range ruleSyntax.FindAllStringSubmatch(strings.Join(lines, "\n"), -1) {
		var capabilities []string
		for _, capability := range strings.Split(match[2], ",") {
			if trimmed := strings.Trim(strings.TrimSpace(capability), `"`); trimmed != "" {
				capabilities = append(capabilities, trimmed)
			}
		}
		rules = append(rules, rule{path: match[1], capabilities: capabilities})
	}
	return rules
}

func (r rule) matches(path string) bool {
	pattern, prefix := strings.CutSuffix(r.path, "*")
	want := strings.Split(pattern, "/")
	got := strings.Split(path, "/")
	if !prefix && len(want) != len(got) {
		return false
	}
	if prefix && len(got) < len(want) {
		return false
	}
	for i, segment := range want {
		last := i == len(want)-1
		switch {
		case segment == "+":
			continue
		case prefix && last:
			if !strings.HasPrefix(got[i], segment) {
				return false
			}
		case segment != got[i]:
			return false
		}
	}
	return true
}

// specificity orders matching rules as Vault does, roughly: a later first wildcard, then fewer
// `+` segments, then no trailing glob, then the longer path.
func specificity(r rule) []int {
	first := len(r.path)
	if i := strings.IndexAny(r.path, "+*"); i >= 0 {
		first = i
	}
	glob := 0
	if strings.HasSuffix(r.path, "*") {
		glob = 1
	}
	return []int{first, -strings.Count(r.path, "+"), -glob, len(r.path)}
}

func moreSpecific(a, b rule) bool {
	sa, sb := specificity(a), specificity(b)
	for i := range sa {
		if sa[i] != sb[i] {
			return sa[i] > sb[i]
		}
	}
	return false
}

// allowed says whether the policies (by name, their text from the documents store) let a request
// with this method reach this path.
func (s *server) allowed(policies []string, method, path string, list bool) bool {
	var matching []rule
	for _, name := range policies {
		text, _ := s.documents.policyText(name)
		for _, candidate := range parsePolicy(text) {
			if candidate.matches(path) {
				matching = append(matching, candidate)
			}
		}
	}
	if len(matching) == 0 {
		return false
	}
	sort.SliceStable(matching, func(i, j int) bool { return moreSpecific(matching[i], matching[j]) })
	best := matching[0]
	capabilities := map[string]bool{}
	for _, candidate := range matching {
		if candidate.path == best.path {
			for _, capability := range candidate.capabilities {
				capabilities[capability] = true
			}
		}
	}
	if capabilities["deny"] {
		return false
	}
	switch {
	case method == http.MethodGet && list:
		return capabilities["list"]
	case method == http.MethodGet:
		return capabilities["read"]
	case method == http.MethodDelete:
		return capabilities["delete"]
	default:
		return capabilities["create"] || capabilities["update"]
	}
}
