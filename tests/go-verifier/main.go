// go-verifier checks Roundtable's checkpoints and proofs with Go's
// golang.org/x/mod/sumdb/{note,tlog} (Debian's golang-golang-x-mod-dev, v0.7.0),
// an implementation that shares no code with ours.
//
// Build (GOPATH mode, offline):
//   GO111MODULE=off GOPATH=/usr/share/gocode go build -o go-verifier .
// Usage: go-verifier MANIFEST.json
//
// Every case in the manifest says whether it must verify; the program exits 1 if
// any case disagrees.
package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type manifest struct {
	Vkey        string            `json:"vkey"`
	Checkpoints map[string]string `json:"checkpoints"` // size -> signed note
	Leaves      []string          `json:"leaves"`      // base64 leaf bytes, by index
	Notes       []noteCase        `json:"notes"`
	Inclusion   []inclusionCase   `json:"inclusion"`
	Consistency []consistencyCase `json:"consistency"`
	Logs        []logCase         `json:"logs"`
}

// logCase is a whole log (base64 leaves, by index): every event id must be used
// once, so a retry written twice or a replayed co-signature cannot pass an audit.
type logCase struct {
	Leaves []string `json:"leaves"`
	Expect bool     `json:"expect"`
	Why    string   `json:"why"`
}

// uniqueIds reports whether every leaf parses and names an event id no other does.
func uniqueIds(leaves []string) bool {
	seen := map[string]bool{}
	for _, b := range leaves {
		raw, err := base64.StdEncoding.DecodeString(b)
		if err != nil {
			return false
		}
		var leaf struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(raw, &leaf) != nil || leaf.ID == "" || seen[leaf.ID] {
			return false
		}
		seen[leaf.ID] = true
	}
	return true
}

type noteCase struct {
	Note   string `json:"note"`
	Expect bool   `json:"expect"`
	Why    string `json:"why"`
}

type inclusionCase struct {
	Index     int64       `json:"index"`
	TreeSize  int64       `json:"tree_size"`
	Inclusion []tlog.Hash `json:"inclusion"`
	Leaf      string      `json:"leaf"` // base64; empty = the real leaf at Index
	Expect    bool        `json:"expect"`
	Why       string      `json:"why"`
}

type consistencyCase struct {
	OldSize     int64       `json:"old_size"`
	TreeSize    int64       `json:"tree_size"`
	Consistency []tlog.Hash `json:"consistency"`
	OldRoot     *tlog.Hash  `json:"old_root"` // nil = the root of the signed checkpoint
	Expect      bool        `json:"expect"`
	Why         string      `json:"why"`
}

// emptyRoot is SHA-256(""): x/mod v0.7.0's TreeHash(0) returns zeros instead.
var emptyRoot, _ = tlog.ParseHash("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")

type tree struct {
	size int64
	root tlog.Hash
}

func openCheckpoint(v note.Verifier, text string) (tree, error) {
	n, err := note.Open([]byte(text), note.VerifierList(v))
	if err != nil {
		return tree{}, err
	}
	lines := strings.SplitN(n.Text, "\n", 4)
	if len(lines) < 4 || lines[0] != v.Name() {
		return tree{}, fmt.Errorf("origin is not %q", v.Name())
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || lines[1] != strconv.FormatInt(size, 10) {
		return tree{}, fmt.Errorf("bad size %q", lines[1])
	}
	root, err := tlog.ParseHash(lines[2])
	if err != nil {
		return tree{}, err
	}
	if size == 0 && root != emptyRoot {
		return tree{}, fmt.Errorf("size 0 with a root that is not SHA-256(\"\")")
	}
	return tree{size, root}, nil
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go-verifier MANIFEST.json")
		os.Exit(2)
	}
	raw, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var m manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		fmt.Fprintln(os.Stderr, "manifest:", err)
		os.Exit(2)
	}
	v, err := note.NewVerifier(strings.TrimSpace(m.Vkey))
	if err != nil {
		fmt.Fprintln(os.Stderr, "vkey:", err)
		os.Exit(2)
	}
	trees := map[int64]tree{}
	for size, text := range m.Checkpoints {
		t, err := openCheckpoint(v, text)
		if err != nil || strconv.FormatInt(t.size, 10) != size {
			fmt.Fprintf(os.Stderr, "checkpoint %s does not open: %v\n", size, err)
			os.Exit(1)
		}
		trees[t.size] = t
	}
	failures, checked := 0, 0
	report := func(ok, expect bool, what string) {
		checked++
		if ok != expect {
			failures++
			fmt.Fprintf(os.Stderr, "MISMATCH %s: verified=%v, expected %v\n", what, ok, expect)
		}
	}
	for i, c := range m.Notes {
		_, err := openCheckpoint(v, c.Note)
		report(err == nil, c.Expect, fmt.Sprintf("note %d (%s)", i, c.Why))
	}
	for _, c := range m.Inclusion {
		t, known := trees[c.TreeSize]
		leafB64 := c.Leaf
		if leafB64 == "" && c.Index >= 0 && c.Index < int64(len(m.Leaves)) {
			leafB64 = m.Leaves[c.Index]
		}
		leaf, err := base64.StdEncoding.DecodeString(leafB64)
		ok := known && err == nil && c.TreeSize >= 1 &&
			tlog.CheckRecord(tlog.RecordProof(c.Inclusion), t.size, t.root, c.Index, tlog.RecordHash(leaf)) == nil
		report(ok, c.Expect, fmt.Sprintf("inclusion %d in %d (%s)", c.Index, c.TreeSize, c.Why))
	}
	for _, c := range m.Consistency {
		oldT, knownOld := trees[c.OldSize]
		newT, knownNew := trees[c.TreeSize]
		oldRoot := oldT.root
		if c.OldRoot != nil {
			oldRoot = *c.OldRoot
		}
		var ok bool
		switch {
		case !knownOld || !knownNew:
			ok = false
		case c.OldSize == 0: // CheckTree rejects size 0: everything extends the empty tree.
			ok = len(c.Consistency) == 0 && oldRoot == emptyRoot
		default:
			ok = tlog.CheckTree(tlog.TreeProof(c.Consistency), newT.size, newT.root, c.OldSize, oldRoot) == nil
		}
		report(ok, c.Expect, fmt.Sprintf("consistency %d -> %d (%s)", c.OldSize, c.TreeSize, c.Why))
	}
	for i, c := range m.Logs {
		report(uniqueIds(c.Leaves), c.Expect, fmt.Sprintf("log %d event ids (%s)", i, c.Why))
	}
	fmt.Printf("go-verifier: %d checkpoints, %d cases, %d mismatches\n", len(trees), checked, failures)
	if failures > 0 {
		os.Exit(1)
	}
}
