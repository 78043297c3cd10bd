// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>

#include <limits>

#include "test_support.hpp"

#include "core/schema.hpp"
#include "core/yaml_reader.hpp"

using twin::Mark;
using twin::SchemaProblem;
using twin::Value;

namespace {

/// A node with a source position, as yaml_reader would produce it.
Value at(Value v, int line, int column) {
  v.mark = Mark{line, column};
  return v;
}

Value strings(std::initializer_list<const char*> items) {
  Value out = Value::list();
  for (const char* s : items)
    out.push_back(s);
  return out;
}

Value typed(const char* type) {
  Value out;
  out["type"] = type;
  return out;
}

// A small files.yaml-like schema: owner, kind, uid, files[] and by_path{}.
Value files_schema() {
  Value entry = typed("object");
  entry["required"] = strings({"path"});
  entry["additionalProperties"] = false;
  entry["properties"]["path"] = typed("string");
  entry["properties"]["mode"] = typed("string");
  entry["properties"]["mode"]["pattern"] = "^0[0-7]{3,4}$";
  entry["properties"]["size"] = typed("integer");

  Value schema = typed("object");
  schema["required"] = strings({"owner", "files"});
  schema["additionalProperties"] = false;
  Value& props = schema["properties"];
  props["owner"] = typed("string");
  props["kind"]["enum"] = strings({"file", "dir", "link"});
  props["uid"] = typed("string");
  props["uid"]["pattern"] = "^\\d+$";
  props["files"] = typed("array");
  props["files"]["items"] = entry;
  props["by_path"] = typed("object");
  props["by_path"]["additionalProperties"]["properties"]["mode"] = entry["properties"]["mode"];
  return schema;
}

Value file(const char* path, const char* mode) {
  Value out;
  out["path"] = path;
  out["mode"] = mode;
  return out;
}

// {owner: root, files: [{path: /etc/hosts, mode: "0644"}]}
Value valid_doc() {
  Value doc = at(Value::map(), 1, 1);
  doc["owner"] = at("root", 1, 8);
  doc["files"] = at(Value::list(), 3, 3);
  doc["files"].push_back(at(file("/etc/hosts", "0644"), 3, 5));
  return doc;
}

std::vector<SchemaProblem> check(const Value& doc, const Value& schema = files_schema()) {
  auto result = twin::validate_against(schema, doc);
  REQUIRE(result.has_value());
  return *result;
}

} // namespace

TEST_CASE("a valid document has no problems", "[schema]") {
  CHECK(check(valid_doc()).empty());
}

TEST_CASE("a type error names the node and both types", "[schema]") {
  Value doc = valid_doc();
  doc["owner"] = at(42, 1, 8);
  auto problems = check(doc);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].pointer == "/owner");
  CHECK(problems[0].mark.line == 1);
  CHECK(problems[0].mark.column == 8);
  CHECK(problems[0].message == "expected string, got integer");
}

TEST_CASE("pattern rejects bad values and accepts good ones", "[schema]") {
  Value doc = valid_doc();
  for (const char* mode : {"0644", "0755", "01777"}) {
    doc["files"].as_list()[0]["mode"] = mode;
    CHECK(check(doc).empty());
  }
  doc["files"].as_list()[0]["mode"] = at("0999", 4, 13);
  auto problems = check(doc);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].pointer == "/files/0/mode");
  CHECK(problems[0].mark.line == 4);
  CHECK(problems[0].message == "does not match pattern ^0[0-7]{3,4}$");
}

TEST_CASE("pattern with \\d works (std::regex, not rapidjson's engine)", "[schema]") {
  Value doc = valid_doc();
  doc["uid"] = "1000";
  CHECK(check(doc).empty());
  doc["uid"] = "10x0";
  auto problems = check(doc);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].pointer == "/uid");
  CHECK(problems[0].message == "does not match pattern ^\\d+$");
}

TEST_CASE("enum lists the allowed values", "[schema]") {
  Value doc = valid_doc();
  doc["kind"] = "dir";
  CHECK(check(doc).empty());
  doc["kind"] = at("socket", 2, 7);
  auto problems = check(doc);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].pointer == "/kind");
  CHECK(problems[0].mark.line == 2);
  CHECK(problems[0].message == "must be one of: file, dir, link");
}

TEST_CASE("a missing required field points at its parent", "[schema]") {
  Value doc = valid_doc();
  doc.as_map().erase("owner");
  auto problems = check(doc);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].pointer.empty());
  CHECK(problems[0].mark.line == 1);
  CHECK(problems[0].mark.column == 1);
  CHECK(problems[0].message == "missing required field 'owner'");

  SECTION("inside a list item") {
    Value item = at(Value::map(), 7, 5);
    item["mode"] = "0600";
    doc["owner"] = "root";
    doc["files"].push_back(item);
    problems = check(doc);
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].pointer == "/files/1");
    CHECK(problems[0].mark.line == 7);
    CHECK(problems[0].message == "missing required field 'path'");
  }
}

TEST_CASE("additionalProperties false reports every unknown field", "[schema]") {
  Value doc = valid_doc();
  doc["pkgs"] = at(strings({"vim"}), 9, 1);
  auto problems = check(doc);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].pointer == "/pkgs");
  CHECK(problems[0].mark.line == 9);
  CHECK(problems[0].message == "unknown field 'pkgs'");

  // valijson itself names only the first one.
  doc["ownr"] = at("x", 10, 1);
  problems = check(doc);
  REQUIRE(problems.size() == 2);
  CHECK(problems[0].message == "unknown field 'pkgs'");
  CHECK(problems[1].message == "unknown field 'ownr'");
  CHECK(problems[1].pointer == "/ownr");
}

TEST_CASE("several violations are all reported, sorted by position", "[schema]") {
  Value doc = valid_doc();
  doc.as_map().erase("owner");                          // missing required, at 1:1
  doc["kind"] = at("socket", 2, 7);                     // enum
  doc["files"].as_list()[0]["size"] = at("big", 5, 11); // type, nested
  auto problems = check(doc);
  REQUIRE(problems.size() == 3);
  CHECK(problems[0].message == "missing required field 'owner'");
  CHECK(problems[1].pointer == "/kind");
  CHECK(problems[2].pointer == "/files/0/size");
  CHECK(problems[2].message == "expected integer, got string");
}

TEST_CASE("the list index is part of the pointer", "[schema]") {
  Value doc = valid_doc();
  for (int i = 1; i <= 3; ++i)
    doc["files"].push_back(at(file("/x", i == 3 ? "644" : "0644"), 3 + i, 5));
  auto problems = check(doc);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].pointer == "/files/3/mode");
  // The string node itself has no mark: the mark of the node is reported as is.
  CHECK(problems[0].mark.line == 0);
}

TEST_CASE("keys with '/' and '~' are escaped in the pointer", "[schema]") {
  Value doc = valid_doc();
  doc["by_path"]["/etc/hosts"]["mode"] = at("999", 12, 5);
  doc["by_path"]["a~b"]["mode"] = at("0644", 13, 5);
  auto problems = check(doc);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].pointer == "/by_path/~1etc~1hosts/mode");
  CHECK(problems[0].mark.line == 12);

  doc["by_path"]["a~b"]["mode"] = at("x", 14, 5);
  problems = check(doc);
  REQUIRE(problems.size() == 2);
  CHECK(problems[1].pointer == "/by_path/a~0b/mode");
}

TEST_CASE("identical problems are reported once", "[schema]") {
  Value schema;
  schema["allOf"] = Value::list();
  schema["allOf"].push_back(typed("string"));
  schema["allOf"].push_back(typed("string"));
  auto problems = check(Value(1), schema);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].pointer.empty());
  CHECK(problems[0].message == "expected string, got integer");
}

TEST_CASE("repeated validation with the same schema gives the same answer", "[schema]") {
  Value doc = valid_doc();
  doc["kind"] = "socket";
  auto first = check(doc);
  auto second = check(doc);
  REQUIRE(first.size() == 1);
  REQUIRE(second.size() == 1);
  CHECK(first[0].message == second[0].message);

  // A different schema must not hit the first one's cache entry.
  Value other = typed("string");
  CHECK(check(doc, other).size() == 1);
  CHECK(check(Value("text"), other).empty());
}

TEST_CASE("a schema that cannot be compiled is an error, not an abort", "[schema]") {
  CHECK_FALSE(twin::validate_against(typed("nonsense"), Value(1)).has_value());
  Value remote;
  remote["$ref"] = "http://example.com/other.json";
  CHECK_FALSE(twin::validate_against(remote, Value(1)).has_value());
  Value bad_regex = typed("string");
  bad_regex["pattern"] = "^(";
  auto result = twin::validate_against(bad_regex, Value("x"));
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().message.starts_with("invalid schema: "));
}

TEST_CASE("format_problem", "[schema]") {
  CHECK(twin::format_problem("state/files.yaml", {"/files/3/mode", Mark{12, 5}, "bad mode"}) ==
        "state/files.yaml:12:5: /files/3/mode: bad mode");
  CHECK(twin::format_problem("config.yaml", {"", Mark{}, "missing required field 'owner'"}) ==
        "config.yaml: /: missing required field 'owner'");
}

TEST_CASE("to_json", "[schema]") {
  Value doc;
  doc["name"] = "caf\xc3\xa9 \"x\"";
  doc["list"] = Value::list();
  doc["list"].push_back(true);
  doc["list"].push_back(nullptr);
  doc["list"].push_back(-3);
  doc["list"].push_back(1.5);
  doc["empty"] = Value::map();
  CHECK(twin::to_json(doc) ==
        "{\"empty\":{},\"list\":[true,null,-3,1.5],\"name\":\"caf\xc3\xa9 \\\"x\\\"\"}");

  Value small;
  small["a"] = 1;
  small["b"] = strings({"x"});
  CHECK(twin::to_json(small, true) == "{\n  \"a\": 1,\n  \"b\": [\n    \"x\"\n  ]\n}");
  CHECK(twin::to_json(Value()) == "null");
}

TEST_CASE("compact JSON escapes what JSON requires and reads back as the same value", "[schema]") {
  Value v;
  v["text"] = std::string("q\"b\\s\nt\tc\x01 caf\xC3\xA9");
  v["whole real"] = 1.0;
  v["real"] = 2.5;
  v["big"] = 1e300;
  v["int"] = std::int64_t{-3};
  v["yes"] = true;
  v["nothing"] = nullptr;
  v["list"].push_back("x");
  std::string json = twin::to_json(v);
  CHECK(json == "{\"big\":1e+300,\"int\":-3,\"list\":[\"x\"],\"nothing\":null,\"real\":2.5,"
                "\"text\":\"q\\\"b\\\\s\\nt\\tc\\u0001 caf\xC3\xA9\",\"whole real\":1.0,"
                "\"yes\":true}");
  auto back = twin::parse_yaml(json, "json");
  REQUIRE(back);
  CHECK(*back == v);
  // JSON has no NaN or infinity.
  CHECK(twin::to_json(Value(std::numeric_limits<double>::infinity())) == "null");
}

TEST_CASE("a long list validated item by item with a memo gives the same problems as a whole "
          "validation",
          "[schema]") {
  Value schema = files_schema();
  // As state/files.yaml's items: a conditional requirement.
  Value& entry = schema["properties"]["files"]["items"];
  entry["properties"]["ensure"]["enum"] = strings({"present", "absent"});
  entry["properties"]["type"] = typed("string");
  entry["if"]["properties"]["ensure"]["const"] = "absent";
  entry["if"]["required"] = strings({"ensure"});
  entry["else"]["required"] = strings({"type"});

  Value doc = at(Value::map(), 1, 1);
  doc["owner"] = at("root", 1, 8);
  doc["files"] = at(Value::list(), 2, 1);
  for (int i = 0; i < 200; ++i) {
    Value item = at(file(("/etc/f" + std::to_string(i)).c_str(), "0644"), 3 + i, 3);
    item["type"] = "file";
    doc["files"].push_back(item);
  }
  twin_test::TempDir tmp{"schema"};
  std::string memo_path = (tmp.path() / "valid-items").string();
  {
    twin::ValidItems memo = twin::ValidItems::load(memo_path);
    auto valid = twin::validate_against(schema, doc, &memo);
    REQUIRE(valid);
    CHECK(valid->empty());
    memo.save(memo_path);
  }

  // Broken items of every kind, and one error outside the list.
  Value broken = doc;
  broken["kind"] = at("pipe", 1, 20);
  broken["files"].as_list()[3]["mode"] = at("644", 6, 10);
  broken["files"].as_list()[7]["colour"] = at("red", 10, 10);
  broken["files"].as_list()[9].as_map().erase("path");
  broken["files"].as_list()[11].as_map().erase("type");
  broken["files"].as_list()[12]["ensure"] = "absent";
  broken["files"].as_list()[12].as_map().erase("type"); // fine: absent needs no type
  broken["files"].as_list()[150]["size"] = at("big", 153, 10);
  auto whole = twin::validate_against(schema, broken);
  REQUIRE(whole);
  CHECK(whole->size() == 6);
  for (bool with_memo_of_valid : {false, true}) {
    twin::ValidItems memo = twin::ValidItems::load(with_memo_of_valid ? memo_path : "/nonexistent");
    auto by_item = twin::validate_against(schema, broken, &memo);
    REQUIRE(by_item);
    REQUIRE(by_item->size() == whole->size());
    for (std::size_t i = 0; i < whole->size(); ++i) {
      CHECK((*by_item)[i].pointer == (*whole)[i].pointer);
      CHECK((*by_item)[i].message == (*whole)[i].message);
      CHECK((*by_item)[i].mark.line == (*whole)[i].mark.line);
    }
  }
}
