#!/usr/bin/env bash
# The test suite's JSON Schema validator (tests/tools/json_schema_check.c) checked on its own:
# every keyword accepts a valid instance and rejects an invalid one, unsupported keywords and
# malformed schemas or documents exit 2, NDJSON, uint64 values and the message format.
# usage: json_schema_check_selftest.sh VDCHECK SOURCE_DIR SCRATCH_DIR
set -uo pipefail
vdcheck=$1 scratch=$3
rm -rf "$scratch" && mkdir -p "$scratch"
passed=0 failed=0

ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1"; }

# The tool is built next to the tests (CMAKE_CURRENT_BINARY_DIR of tests/), which also holds
# scratch/NAME; $JSON_SCHEMA_CHECK overrides.
tool=
for candidate in ${JSON_SCHEMA_CHECK:-} "$scratch/../../json_schema_check" \
                 "$(dirname "$vdcheck")/tests/json_schema_check" "$(dirname "$vdcheck")/json_schema_check"; do
  if [ -x "$candidate" ] && [ -f "$candidate" ]; then tool=$candidate; break; fi
done
if [ -z "$tool" ]; then
  echo "FAIL json_schema_check not found (build the json_schema_check target)"
  exit 1
fi

n=0
# run WANT LABEL SCHEMA DOC...: writes the schema and documents, expects exit status WANT.
run() {
  local want=$1 label=$2 schema=$3; shift 3
  n=$((n + 1))
  printf '%s\n' "$schema" >"$scratch/schema$n.json"
  local docs=() i=0
  for doc in "$@"; do
    i=$((i + 1))
    printf '%s\n' "$doc" >"$scratch/doc$n-$i.json"
    docs+=("$scratch/doc$n-$i.json")
  done
  "$tool" "$scratch/schema$n.json" "${docs[@]}" >"$scratch/out" 2>"$scratch/err"
  local got=$?
  if [ "$got" != "$want" ]; then
    bad "$label: exit $got, want $want"
    sed 's/^/     /' "$scratch/out" "$scratch/err"
    return 1
  fi
  return 0
}
accepts() { # LABEL SCHEMA DOC: exit 0 and no output
  run 0 "accepts $1" "$2" "$3" || return
  if [ -s "$scratch/out" ] || [ -s "$scratch/err" ]; then bad "accepts $1: unexpected output"; else ok "accepts $1"; fi
}
rejects() { # LABEL SCHEMA DOC: exit 1, every line "DOC:LINE: POINTER: MESSAGE (schema path PATH)"
  run 1 "rejects $1" "$2" "$3" || return
  if [ -s "$scratch/out" ] && ! grep -Eqv '^[^:]+:[0-9]+: [^ ]+: .+ \(schema path [^ ]+\)$' "$scratch/out"; then
    ok "rejects $1"
  else
    bad "rejects $1: malformed report"; sed 's/^/     /' "$scratch/out"
  fi
}
refuses() { # LABEL SCHEMA DOC: exit 2 with a message on stderr
  run 2 "refuses $1" "$2" "$3" || return
  if [ -s "$scratch/err" ]; then ok "refuses $1"; else bad "refuses $1: no message"; fi
}
both() { # LABEL SCHEMA GOOD BAD
  accepts "$1" "$2" "$3"
  rejects "$1" "$2" "$4"
}

# type
both 'type string' '{"type":"string"}' '"x"' '1'
both 'type integer (int)' '{"type":"integer"}' '-3' '"3"'
both 'type integer (double without fraction)' '{"type":"integer"}' '3.0' '3.5'
both 'type number' '{"type":"number"}' '3.5' 'true'
both 'type boolean' '{"type":"boolean"}' 'false' '0'
both 'type null' '{"type":"null"}' 'null' 'false'
both 'type object' '{"type":"object"}' '{}' '[]'
both 'type array' '{"type":"array"}' '[]' '{}'
both 'type list' '{"type":["string","null"]}' 'null' '1'
# enum, const (JSON equality: numbers by value, objects regardless of key order)
both 'enum' '{"enum":["a",1,null]}' '1.0' '"b"'
both 'const' '{"const":{"a":[1,2],"b":true}}' '{"b":true,"a":[1,2.0]}' '{"a":[2,1],"b":true}'
# objects
both 'properties' '{"properties":{"a":{"type":"string"}}}' '{"a":"x","b":1}' '{"a":1}'
both 'required' '{"required":["a","b"]}' '{"a":1,"b":null}' '{"a":1}'
both 'additionalProperties false' '{"properties":{"a":{}},"additionalProperties":false}' '{"a":1}' '{"a":1,"b":2}'
both 'additionalProperties schema' '{"properties":{"a":{}},"additionalProperties":{"type":"integer"}}' \
  '{"a":"s","x":1}' '{"a":"s","x":"s"}'
both 'patternProperties' '{"patternProperties":{"^x_":{"type":"integer"}}}' '{"x_a":1,"y":"s"}' '{"x_a":"s"}'
both 'patternProperties with additionalProperties false' \
  '{"patternProperties":{"^x_[a-z]+$":true},"additionalProperties":false}' '{"x_ab":1}' '{"x_1":1}'
both 'propertyNames' '{"propertyNames":{"pattern":"^[a-z]+$","maxLength":3}}' '{"abc":1}' '{"aBc":1}'
# arrays
both 'items' '{"items":{"type":"integer"}}' '[1,2,3]' '[1,"2"]'
both 'minItems' '{"minItems":2}' '[1,2]' '[1]'
both 'maxItems' '{"maxItems":1}' '[1]' '[1,2]'
both 'uniqueItems' '{"uniqueItems":true}' '[1,"1",[1],{"a":1},{"a":2}]' '[1,1.0]'
rejects 'uniqueItems (objects, any key order)' '{"uniqueItems":true}' '[{"a":1,"b":2},{"b":2,"a":1}]'
# strings: lengths in code points ("é€" is 2 code points, 5 bytes)
both 'minLength' '{"minLength":2}' '"é€"' '"é"'
both 'maxLength' '{"maxLength":2}' '"é€"' '"abc"'
both 'pattern (unanchored search)' '{"pattern":"b+"}' '"abbc"' '"ac"'
both 'pattern (anchored)' '{"pattern":"^[0-9a-f]{4}$"}' '"0a1f"' '"0a1f0"'
# numbers, including uint64 and int64 extremes
both 'minimum' '{"minimum":0}' '0' '-1'
both 'maximum' '{"maximum":10}' '10' '10.5'
both 'exclusiveMinimum' '{"exclusiveMinimum":0}' '0.5' '0'
both 'exclusiveMaximum' '{"exclusiveMaximum":1}' '0.99' '1'
accepts 'uint64 max is an integer >= 0' '{"type":"integer","minimum":0}' '18446744073709551615'
rejects 'uint64 max above a uint64 maximum' '{"maximum":18446744073709551614}' '18446744073709551615'
rejects 'INT64_MAX + 1 above an INT64_MAX maximum' '{"maximum":9223372036854775807}' '9223372036854775808'
rejects 'int64 min below minimum 0' '{"minimum":0}' '-9223372036854775808'
accepts 'int64 min at an int64 min minimum' '{"minimum":-9223372036854775808}' '-9223372036854775808'
both 'integer against a double bound' '{"minimum":1.5}' '2' '1'
# combinators
both 'allOf' '{"allOf":[{"type":"integer"},{"minimum":1}]}' '2' '0'
both 'anyOf' '{"anyOf":[{"type":"string"},{"type":"integer"}]}' '1' '1.5'
both 'oneOf' '{"oneOf":[{"type":"integer"},{"minimum":0}]}' '-1' '1'
rejects 'oneOf (none)' '{"oneOf":[{"type":"integer"},{"minimum":0}]}' '-1.5'
both 'not' '{"not":{"type":"string"}}' '1' '"s"'
both 'if/then' '{"if":{"type":"integer"},"then":{"minimum":0},"else":{"type":"string"}}' '1' '-1'
both 'if/else' '{"if":{"type":"integer"},"then":{"minimum":0},"else":{"type":"string"}}' '"s"' '1.5'
both 'false schema' '{"properties":{"a":false}}' '{"b":1}' '{"a":1}'
accepts 'true schema' 'true' '{"anything":[1]}'
# references
both '$ref to $defs' '{"$defs":{"pos":{"minimum":0}},"items":{"$ref":"#/$defs/pos"}}' '[0,1]' '[1,-1]'
both '$ref with escaped name' '{"$defs":{"a/b~c":{"type":"null"}},"$ref":"#/$defs/a~1b~0c"}' 'null' '0'
both '$ref "#" (recursive tree)' \
  '{"type":"object","properties":{"kids":{"type":"array","items":{"$ref":"#"}}},"additionalProperties":false}' \
  '{"kids":[{"kids":[]},{}]}' '{"kids":[{"kids":[{"kid":1}]}]}'
both '$ref "#" through nulls' '{"anyOf":[{"type":"null"},{"type":"array","items":{"$ref":"#"}}]}' \
  '[null,[null,[]]]' '[null,[1]]'
accepts 'annotations' '{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"https://example.org/s",
  "title":"t","description":"d","$comment":"c","examples":[1],"default":1,"type":"integer"}' '1'

# The report names the document, line, instance pointer and schema path.
run 1 'report line' '{"properties":{"a":{"items":{"type":"string"}}}}' '{"a":["x",2]}'
want="$scratch/doc$n-1.json:1: /a/1: expected type string, got integer (schema path /properties/a/items/type)"
[ "$(cat "$scratch/out")" = "$want" ] && ok "report line" || { bad "report line"; cat "$scratch/out"; }
run 1 'pointer escaping' '{"additionalProperties":false}' '{"a/b~c":1}'
grep -q ': /a~1b~0c: ' "$scratch/out" && ok "pointer escaping" || { bad "pointer escaping"; cat "$scratch/out"; }
run 1 'all violations reported' '{"items":{"type":"integer"}}' '["a",1,"b"]'
[ "$(grep -c 'expected type integer' "$scratch/out")" = 2 ] && ok "all violations reported" || bad "all violations reported"
run 1 'line of a pretty-printed value' '{"type":"object"}' $'\n\n[\n  1\n]'
grep -q "doc$n-1.json:3: (root): " "$scratch/out" && ok "line of a pretty-printed value" || { bad "line of a pretty-printed value"; cat "$scratch/out"; }

# NDJSON: one value per line, blank lines skipped, lines numbered in the file.
nd=$'{"a":1}\n\n{"a":2}\r\n{"a":3}'
run 0 'NDJSON valid' '{"required":["a"]}' "$nd" && ok "NDJSON valid"
run 1 'NDJSON violation' '{"properties":{"a":{"maximum":2}}}' "$nd" &&
  { [ "$(cat "$scratch/out")" = "$scratch/doc$n-1.json:4: /a: 3 is greater than the maximum 2 (schema path /properties/a/maximum)" ] &&
    ok "NDJSON violation on line 4" || { bad "NDJSON violation line"; cat "$scratch/out"; }; }
run 2 'NDJSON with a broken line' '{}' $'{"a":1}\n{"a":' && grep -q ':2: invalid NDJSON' "$scratch/err" &&
  ok "NDJSON with a broken line (exit 2, line 2)"
run 1 'several documents' '{"type":"integer"}' '1' '"x"' '2' && ok "several documents: worst status"
run 2 'unreadable document wins' '{"type":"integer"}' '"x"' '{' && ok "unreadable document wins (exit 2)"
"$tool" "$scratch/schema$n.json" "$scratch/missing.json" >/dev/null 2>&1
[ $? = 2 ] && ok "missing document (exit 2)" || bad "missing document"
"$tool" "$scratch/schema$n.json" >/dev/null 2>&1
[ $? = 2 ] && ok "no document (exit 2)" || bad "no document"

# Schemas the tool cannot honor exactly: exit 2, never a silent pass.
refuses 'unknown keyword' '{"type":"string","format":"date"}' '"x"'
refuses 'unknown keyword in a subschema' '{"properties":{"a":{"multipleOf":2}}}' '{}'
refuses 'unknown keyword in $defs' '{"$defs":{"x":{"prefixItems":[]}}}' '1'
refuses 'draft-07 items array' '{"items":[{"type":"string"}]}' '[]'
refuses 'other $schema' '{"$schema":"http://json-schema.org/draft-07/schema#"}' '1'
refuses 'nested $id' '{"properties":{"a":{"$id":"x"}}}' '1'
refuses 'external $ref' '{"$ref":"other.json#/$defs/a"}' '1'
refuses 'missing $defs name' '{"$defs":{"a":true},"$ref":"#/$defs/b"}' '1'
refuses 'deep $ref pointer' '{"$defs":{"a":{"$defs":{"b":true}}},"$ref":"#/$defs/a/$defs/b"}' '1'
refuses '$ref loop' '{"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"$ref":"#/$defs/a"}},"$ref":"#/$defs/a"}' '1'
refuses 'self $ref' '{"$ref":"#"}' '1'
refuses 'invalid regex' '{"pattern":"("}' '"x"'
refuses 'ECMA-262 escape' '{"pattern":"^\\d+$"}' '"1"'
refuses 'escape in a bracket' '{"patternProperties":{"[\\w]":true}}' '{}'
refuses 'then without if' '{"then":{"type":"string"}}' '"x"'
refuses 'subschema not a schema' '{"properties":{"a":1}}' '{}'
refuses 'unknown type name' '{"type":"int"}' '1'
refuses 'negative minLength' '{"minLength":-1}' '"x"'
refuses 'empty enum' '{"enum":[]}' '1'
refuses 'malformed schema JSON' '{"type":' '1'

# Documents that are not strict JSON, or that json-c could not hold exactly: exit 2.
refuses 'single quotes' '{}' "{'a':1}"
refuses 'NaN' '{}' 'NaN'
refuses 'trailing comma' '{}' '[1,]'
refuses 'comment' '{}' '// x'
refuses 'duplicate key' '{}' '{"a":1,"a":2}'
refuses 'integer above uint64' '{}' '18446744073709551616'
refuses 'integer below int64' '{}' '-9223372036854775809'
refuses 'double overflow' '{}' '1e400'
refuses 'raw control character' '{}' $'"a\tb"'
refuses 'lone surrogate' '{}' '"\ud800"'
refuses 'invalid UTF-8' '{}' $'"\xff"'
refuses 'empty document' '{}' ''

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
