// SPDX-License-Identifier: MIT
// Which files of a twin are secret, and the .gitattributes lines that make git encrypt them
// (filter=twin-crypt, DESIGN.md section 5).
//
// A mirrored file is secret when
//   - its logical path matches a secret pattern (the defaults below plus config.yaml's
//     `secrets`), or
//   - its mode gives nothing to group and others (0600, 0400, 0700, ...), or
//   - it was found holding a private key block or a GitHub token (core/secret_scan.hpp).
// The fragments of plugins that say so (cron.user: crontabs are mode 0600 on the machine)
// are secret as a whole, in state/ and in live/.
//
// Secret patterns follow gitattributes: '*', '?' and '[...]' stay within one path
// component, a "**" component spans any number of them, and a pattern that names a
// directory covers everything below it. They start with '/' or "**/". Because the
// semantics are git's, each pattern becomes .gitattributes lines as it is, so files that
// someone adds by hand are encrypted too. Files found by mode or content are listed one by
// one, and stay listed while they exist: once secret, always encrypted. Their lines go into
// the .gitattributes of their own directory, in both trees (git pays for every line of a
// .gitattributes for every path below it), and the top-level block names them in comments.
//
// git-twin owns one block of each .gitattributes it writes, between its marker lines; lines
// outside it are the owner's and are kept.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace twin {

/// shadow and gshadow, ssh host and user private keys, TLS private keys, NetworkManager
/// connections, Wi-Fi and PPP secrets, Home Assistant's secrets.yaml.
const std::vector<std::string>& default_secret_patterns();

/// True when `pattern` is a usable secret pattern; otherwise `why` says what is wrong.
bool check_secret_pattern(std::string_view pattern, std::string& why);

/// True for a mode ("0600") that gives group and others nothing.
bool is_private_mode(std::string_view mode);

class SecretPatterns {
public:
  /// The defaults plus `extra` (config.yaml's secrets).
  explicit SecretPatterns(const std::vector<std::string>& extra = {});
  bool matches(std::string_view logical_path) const;
  const std::vector<std::string>& patterns() const { return m_patterns; }

private:
  // Each pattern split at '/', once, and the part before its first wildcard: a snapshot
  // asks about every file, and a path that does not hold that part cannot match, which
  // skips the component-by-component match for nearly all of them.
  struct Compiled {
    std::vector<std::string> components;
    std::string literal;
  };
  std::vector<std::string> m_patterns;
  std::vector<Compiled> m_compiled;
};

/// What snapshot learns about secret files while files.mirror walks the roots.
class SecretTracker {
public:
  /// `listed`: the files the current .gitattributes lists one by one.
  SecretTracker(SecretPatterns patterns, std::set<std::string> listed);
  const SecretPatterns& patterns() const { return m_patterns; }
  /// Whether a regular file just observed is to be listed. `content` is its bytes when they
  /// were just read (a new or changed file), else null: the earlier verdict stands. Const,
  /// so that the threads of a tree walk can ask at once; they list under a lock of theirs.
  bool must_list(const std::string& logical_path, std::string_view mode,
                 const std::string* content) const;
  void list(const std::string& logical_path) { m_found.insert(logical_path); }
  /// The observed files to list one by one (by mode, by content, or listed before).
  const std::set<std::string>& listed() const { return m_found; }
  /// The files listed one by one before this snapshot.
  const std::set<std::string>& listed_before() const { return m_before; }

private:
  SecretPatterns m_patterns;
  std::set<std::string> m_before;
  std::set<std::string> m_found;
};

/// The repository paths of a file in both trees: filesystem/<p> and live/filesystem/<p>.
std::vector<std::string> mirror_paths_of(std::string_view logical_path);

/// True when `repo_path` must be stored encrypted: under filesystem/ or live/filesystem/
/// with a logical path that matches `patterns` or is in `listed`, or one of
/// `secret_documents` (state/cron.yaml, live/cron.yaml).
bool must_be_encrypted(std::string_view repo_path, const SecretPatterns& patterns,
                       const std::set<std::string>& listed,
                       const std::vector<std::string>& secret_documents);

/// The logical paths that git-twin's block of the top-level .gitattributes lists one by one
/// (also in the format of before the per-directory files).
std::set<std::string> listed_secret_files(std::string_view gitattributes);

/// `gitattributes` with git-twin's block replaced by (or, when missing, followed by) the
/// lines for these rules. `state_documents` are merged by twin-yaml; `secret_documents`
/// are encrypted whole.
std::string render_gitattributes(std::string_view gitattributes, const SecretPatterns& patterns,
                                 const std::set<std::string>& listed,
                                 const std::vector<std::string>& secret_documents);

/// The .gitattributes text of one directory (current text given) whose git-twin block
/// encrypts the files `names` of that directory; without names the block goes, and an
/// empty result means the file should go too.
std::string render_directory_attributes(std::string_view gitattributes,
                                        const std::set<std::string>& names);

/// Listed logical paths grouped by their directory: "/etc/app/a" -> {"/etc/app": {"a"}}.
std::map<std::string, std::set<std::string>>
listed_by_directory(const std::set<std::string>& listed);

} // namespace twin
