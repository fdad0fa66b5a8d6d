// A verifier of workgate's checkpoints and proofs that uses only Go's own signed-note and
// transparency-log code (golang.org/x/mod/sumdb/note and tlog): one JSON request on stdin, one
// JSON answer on stdout. Built in GOPATH mode against Debian's golang-golang-x-mod-dev.
package main

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type request struct {
	VerifierKey string   `json:"verifierKey"`
	Note        string   `json:"note"`
	LeafIndex   *int64   `json:"leafIndex"`
	Leaf        string   `json:"leaf"`
	Inclusion   []string `json:"inclusion"`
	OldNote     string   `json:"oldNote"`
	Consistency []string `json:"consistency"`
}

type answer struct {
	Ok     bool   `json:"ok"`
	Error  string `json:"error,omitempty"`
	Origin string `json:"origin,omitempty"`
	Size   int64  `json:"size"`
}

// checkpoint opens a signed note and reads the C2SP tlog checkpoint it carries.
func checkpoint(verifiers note.Verifiers, msg string) (string, int64, tlog.Hash, error) {
	n, err := note.Open([]byte(msg), verifiers)
	if err != nil {
		return "", 0, tlog.Hash{}, err
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 {
		return "", 0, tlog.Hash{}, fmt.Errorf("not a checkpoint: %q", n.Text)
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		return "", 0, tlog.Hash{}, err
	}
	root, err := tlog.ParseHash(lines[2])
	if err != nil {
		return "", 0, tlog.Hash{}, err
	}
	return lines[0], size, root, nil
}

func hashes(list []string) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(list))
	for i, s := range list {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(b) != tlog.HashSize {
			return nil, fmt.Errorf("proof hash %d is not 32 bytes of base64", i)
		}
		copy(out[i][:], b)
	}
	return out, nil
}

func run(r request) answer {
	v, err := note.NewVerifier(r.VerifierKey)
	if err != nil {
		return answer{Error: err.Error()}
	}
	verifiers := note.VerifierList(v)
	origin, size, root, err := checkpoint(verifiers, r.Note)
	if err != nil {
		return answer{Error: err.Error()}
	}
	if r.LeafIndex != nil {
		leaf, err := hex.DecodeString(r.Leaf)
		if err != nil {
			return answer{Error: err.Error()}
		}
		proof, err := hashes(r.Inclusion)
		if err != nil {
			return answer{Error: err.Error()}
		}
		if err := tlog.CheckRecord(tlog.RecordProof(proof), size, root, *r.LeafIndex, tlog.RecordHash(leaf)); err != nil {
			return answer{Error: err.Error(), Origin: origin, Size: size}
		}
	}
	if r.OldNote != "" {
		_, oldSize, oldRoot, err := checkpoint(verifiers, r.OldNote)
		if err != nil {
			return answer{Error: err.Error()}
		}
		proof, err := hashes(r.Consistency)
		if err != nil {
			return answer{Error: err.Error()}
		}
		if err := tlog.CheckTree(tlog.TreeProof(proof), size, root, oldSize, oldRoot); err != nil {
			return answer{Error: err.Error(), Origin: origin, Size: size}
		}
	}
	return answer{Ok: true, Origin: origin, Size: size}
}

func main() {
	var r request
	if err := json.NewDecoder(os.Stdin).Decode(&r); err != nil {
		json.NewEncoder(os.Stdout).Encode(answer{Error: err.Error()})
		return
	}
	json.NewEncoder(os.Stdout).Encode(run(r))
}
