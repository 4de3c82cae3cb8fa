// yaml-parity reads a multi-document YAML stream on stdin and prints, as one canonical JSON array, the
// documents one Go YAML library reads from it:
//
//	v2      gopkg.in/yaml.v2 Decoder (YAML 1.1; what kubectl, Argo CD and Flux parse with)
//	v3      gopkg.in/yaml.v3 Decoder
//	ghodss  the Kubernetes way: the stream split on "---" lines as k8s.io/apimachinery's YAMLReader does,
//	        then each document through github.com/ghodss/yaml.YAMLToJSON (the code sigs.k8s.io/yaml forked)
//
// Empty documents are dropped, as kubectl drops them. A parse error exits 1 with the message on stderr.
//
// With -batch first, stdin is a JSON array of streams and stdout a JSON array with, for each, the array of
// its documents or {"error": message}: one process for many streams.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/ghodss/yaml"
	yamlv2 "gopkg.in/yaml.v2"
	yamlv3 "gopkg.in/yaml.v3"
)

func main() {
	args := os.Args[1:]
	batch := len(args) == 2 && args[0] == "-batch"
	if batch {
		args = args[1:]
	}
	if len(args) != 1 {
		fail(errors.New("usage: yaml-parity [-batch] v2|v3|ghodss < input"))
	}
	decode, ok := map[string]func([]byte) ([]interface{}, error){
		"v2": decodeV2, "v3": decodeV3, "ghodss": decodeGhodss,
	}[args[0]]
	if !ok {
		fail(fmt.Errorf("unknown parser %q", args[0]))
	}
	input, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail(err)
	}
	var result interface{}
	if batch {
		var streams []string
		if err := json.Unmarshal(input, &streams); err != nil {
			fail(err)
		}
		results := make([]interface{}, len(streams))
		for i, stream := range streams {
			docs, err := decode([]byte(stream))
			if err != nil {
				results[i] = map[string]string{"error": err.Error()}
			} else {
				results[i] = nonNil(docs)
			}
		}
		result = results
	} else {
		docs, err := decode(input)
		if err != nil {
			fail(err)
		}
		result = nonNil(docs)
	}
	out, err := json.Marshal(result)
	if err != nil {
		fail(err)
	}
	os.Stdout.Write(append(out, '\n'))
}

func nonNil(docs []interface{}) []interface{} {
	if docs == nil {
		return []interface{}{}
	}
	return docs
}

func decodeV2(input []byte) ([]interface{}, error) {
	decoder := yamlv2.NewDecoder(bytes.NewReader(input))
	var docs []interface{}
	for {
		var doc interface{}
		if err := decoder.Decode(&doc); err == io.EOF {
			return docs, nil
		} else if err != nil {
			return nil, err
		}
		if doc != nil {
			jsonable, err := toJSONable(doc)
			if err != nil {
				return nil, err
			}
			docs = append(docs, jsonable)
		}
	}
}

func decodeV3(input []byte) ([]interface{}, error) {
	decoder := yamlv3.NewDecoder(bytes.NewReader(input))
	var docs []interface{}
	for {
		var doc interface{}
		if err := decoder.Decode(&doc); err == io.EOF {
			return docs, nil
		} else if err != nil {
			return nil, err
		}
		if doc != nil {
			jsonable, err := toJSONable(doc)
			if err != nil {
				return nil, err
			}
			docs = append(docs, jsonable)
		}
	}
}

func decodeGhodss(input []byte) ([]interface{}, error) {
	var docs []interface{}
	for _, chunk := range splitLikeKubernetes(input) {
		out, err := yaml.YAMLToJSON(chunk)
		if err != nil {
			return nil, err
		}
		var doc interface{}
		if err := json.Unmarshal(out, &doc); err != nil {
			return nil, err
		}
		if doc != nil {
			docs = append(docs, doc)
		}
	}
	return docs, nil
}

// splitLikeKubernetes mirrors k8s.io/apimachinery/pkg/util/yaml YAMLReader.Read: lines end at '\n'; a line
// starting with "---" whose rest, trimmed, is empty or a comment ends a document.
func splitLikeKubernetes(input []byte) [][]byte {
	var chunks [][]byte
	var buffer bytes.Buffer
	reader := bufio.NewReader(bytes.NewReader(input))
	for {
		line, err := reader.ReadBytes('\n')
		if bytes.HasPrefix(line, []byte("---")) {
			rest := strings.TrimSpace(string(line[3:]))
			if rest == "" || strings.HasPrefix(rest, "#") {
				chunks = append(chunks, append([]byte(nil), buffer.Bytes()...))
				buffer.Reset()
				line = nil
			}
		}
		buffer.Write(line)
		if err != nil {
			break
		}
	}
	return append(chunks, buffer.Bytes())
}

// toJSONable turns map[interface{}]interface{} (and yaml.v3's map[string]interface{}) into JSON objects; a
// non-string key is written as JSON would (fmt), as ghodss/yaml does.
func toJSONable(value interface{}) (interface{}, error) {
	switch v := value.(type) {
	case map[interface{}]interface{}:
		out := make(map[string]interface{}, len(v))
		for key, item := range v {
			converted, err := toJSONable(item)
			if err != nil {
				return nil, err
			}
			out[fmt.Sprint(key)] = converted
		}
		return out, nil
	case map[string]interface{}:
		out := make(map[string]interface{}, len(v))
		for key, item := range v {
			converted, err := toJSONable(item)
			if err != nil {
				return nil, err
			}
			out[key] = converted
		}
		return out, nil
	case []interface{}:
		out := make([]interface{}, len(v))
		for i, item := range v {
			converted, err := toJSONable(item)
			if err != nil {
				return nil, err
			}
			out[i] = converted
		}
		return out, nil
	default:
		return v, nil
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "yaml-parity:", err)
	os.Exit(1)
}
