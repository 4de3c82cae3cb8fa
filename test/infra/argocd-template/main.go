// Renders one string field of an ApplicationSet template for each folder the git directory generator would
// find, the way Argo CD does in goTemplate mode: Go's text/template with missingkey=error, the generator's
// `path` parameters, and the sprig functions the template uses (re-declared here with sprig v3's semantics,
// since only Go's standard library is available offline).
//
// stdin: {"template": "...", "paths": ["apis/acme/pets", ...]}; stdout: the rendered strings, as a JSON array.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"regexp"
	"strings"
	"text/template"
)

var sprig = template.FuncMap{
	"lower":   strings.ToLower,
	"replace": func(old, new, src string) string { return strings.Replace(src, old, new, -1) },
	"trunc": func(c int, s string) string {
		if c < 0 && len(s)+c > 0 {
			return s[len(s)+c:]
		}
		if c >= 0 && len(s) > c {
			return s[:c]
		}
		return s
	},
	"sha256sum": func(input string) string {
		hash := sha256.Sum256([]byte(input))
		return hex.EncodeToString(hash[:])
	},
	"regexMatch": func(regex, s string) bool { return regexp.MustCompile(regex).MatchString(s) },
	"regexReplaceAll": func(regex, s, repl string) string {
		return regexp.MustCompile(regex).ReplaceAllString(s, repl)
	},
}

func main() {
	var input struct {
		Template string   `json:"template"`
		Paths    []string `json:"paths"`
	}
	if err := json.NewDecoder(os.Stdin).Decode(&input); err != nil {
		fail(err)
	}
	tmpl, err := template.New("field").Option("missingkey=error").Funcs(sprig).Parse(input.Template)
	if err != nil {
		fail(err)
	}
	out := make([]string, 0, len(input.Paths))
	for _, p := range input.Paths {
		// The git directory generator's parameters (goTemplate mode).
		params := map[string]interface{}{
			"path": map[string]interface{}{
				"path":     p,
				"segments": strings.Split(p, "/"),
				"basename": path.Base(p),
			},
		}
		var rendered strings.Builder
		if err := tmpl.Execute(&rendered, params); err != nil {
			fail(err)
		}
		out = append(out, rendered.String())
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
