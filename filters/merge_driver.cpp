// SPDX-License-Identifier: MIT
#include "filters/merge_driver.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>

#include "core/fs_util.hpp"
#include "core/yaml_reader.hpp"
#include "filters/text_merge.hpp"
#include "filters/yaml_merge.hpp"

namespace twin::filters {
namespace {

Result<MergeOutcome> text_outcome(const MergeInputs& in, Runner& runner, MergeOutcome outcome) {
  TextMerge merged = TWIN_TRY(
      merge_text(in.base, in.ours, in.theirs, runner, TextMergeOptions{true, in.scratch_dir}));
  outcome.text = std::move(merged.text);
  outcome.conflict = merged.conflict;
  return outcome;
}

// Why a side is not usable for the structural merge; a parse error quotes the document
// ("state/x.yaml:3:5: ..."), which a secret's note must not.
std::string unusable(const MergeInputs& in, std::string_view side, const Error& error) {
  if (in.secret)
    return fmt::format("{}: {} cannot be merged by structure; merged as text", in.path, side);
  return fmt::format("{}: {}; merged as text", in.path, error.message);
}

} // namespace

Result<MergeOutcome> merge_contents(const MergeInputs& in, Runner& runner) {
  MergeOutcome outcome;
  if (!in.keys || in.keys->empty())
    return text_outcome(in, runner, std::move(outcome));

  std::string name(in.path);
  auto base = parse_yaml(in.base, name + " (base)");
  auto ours = parse_yaml(in.ours, name + " (ours)");
  auto theirs = parse_yaml(in.theirs, name + " (theirs)");
  const std::pair<const char*, Result<Value>*> sides[] = {
      {"base", &base}, {"ours", &ours}, {"theirs", &theirs}};
  for (const auto& [side, doc] : sides)
    if (!*doc) {
      outcome.notes.push_back(
          unusable(in, fmt::format("{} is not valid YAML", side), doc->error()));
      return text_outcome(in, runner, std::move(outcome));
    }
  auto structural = merge_yaml(*base, *ours, *theirs, *in.keys);
  if (!structural) {
    outcome.notes.push_back(unusable(in, "a side", structural.error()));
    return text_outcome(in, runner, std::move(outcome));
  }

  if (structural->clean()) {
    // git's line merge, when it agrees with the structure, keeps what people wrote.
    TextMerge lines = TWIN_TRY(
        merge_text(in.base, in.ours, in.theirs, runner, TextMergeOptions{false, in.scratch_dir}));
    if (!lines.conflict)
      if (auto reread = parse_yaml(lines.text, name); reread && *reread == *structural->merged) {
        outcome.text = std::move(lines.text);
        return outcome;
      }
    outcome.text = std::move(structural->text);
    return outcome;
  }
  outcome.text = std::move(structural->text);
  outcome.conflict = true;
  if (in.secret)
    outcome.notes.push_back(fmt::format("{}: {} conflicting resource{}", in.path,
                                        structural->conflicts.size(),
                                        structural->conflicts.size() == 1 ? "" : "s"));
  else
    for (const auto& what : structural->conflicts)
      outcome.notes.push_back(fmt::format("{}: conflict in {}", in.path, what));
  return outcome;
}

Result<int> run_merge_driver(const MergeDriverArgs& args, const MergeKeysFor& keys_for,
                             const KeyLoader& load_key, Runner& runner) {
  std::string texts[3] = {TWIN_TRY(read_whole_file(args.base_file)),
                          TWIN_TRY(read_whole_file(args.ours_file)),
                          TWIN_TRY(read_whole_file(args.theirs_file))};
  bool secret = args.secret;
  for (const auto& t : texts)
    secret = secret || is_encrypted(t);
  std::optional<SecretKey> key;
  if (secret) {
    key = TWIN_TRY(load_key());
    if (!key)
      return fail("{}: the versions to merge are encrypted and this repository has no "
                  "twin-crypt key; nothing was merged (give the twin its key, then merge again)",
                  args.path);
    for (auto& t : texts)
      if (is_encrypted(t))
        t = TWIN_TRY(decrypt_secret(*key, args.path, t).map_error([&](Error e) {
          return with_context(std::move(e), args.path);
        }));
  }

  std::vector<MergeKey> keys = keys_for(args.path);
  MergeInputs in{args.path, texts[0], texts[1], texts[2], &keys, secret, args.scratch_dir};
  MergeOutcome outcome = TWIN_TRY(merge_contents(in, runner));
  std::string result =
      secret ? TWIN_TRY(encrypt_secret(*key, args.path, outcome.text)) : std::move(outcome.text);
  // %A keeps its mode; git reads it back as the merge result, never half of one.
  struct stat st {};
  mode_t mode = ::stat(args.ours_file.c_str(), &st) == 0 ? st.st_mode & 07777 : 0644;
  TWIN_CHECK(replace_file(args.ours_file, result, mode));
  for (const auto& note : outcome.notes)
    fmt::print(stderr, "git-twin: {}\n", note);
  return outcome.conflict ? 1 : 0;
}

} // namespace twin::filters
