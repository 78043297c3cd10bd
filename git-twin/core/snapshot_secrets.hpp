// SPDX-License-Identifier: MIT
// What a snapshot does about secrets (core/secret_paths.hpp): it opens the key (a twin
// from before encryption gets one), lets files.mirror report the files it finds secret,
// computes the blob ids of encrypted documents before git stores them, and keeps
// git-twin's block of .gitattributes current, cleaning again what the new rules cover.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/plugin.hpp"
#include "core/secret_cipher.hpp"
#include "core/secret_paths.hpp"
#include "core/snapshot.hpp"

namespace twin {

struct SnapshotSecrets {
  std::optional<SecretKey> key;
  SecretTracker tracker; // files.mirror reports every regular file here
};

/// The key and the rules of a snapshot. A twin whose .gitattributes (text given) already
/// encrypts something needs its key, and without it the snapshot must not run; a twin from
/// before encryption gets a new key and the git settings now.
Result<SnapshotSecrets> open_secrets(TwinEnv& env, std::string_view attributes);

/// The repository paths stored encrypted as a whole: state/ and live/<fragment>.yaml of
/// the plugins whose documents are secret.
std::vector<std::string> secret_documents(std::span<const Plugin* const> plugins);

/// The id of the blob git will store for `text` at `path`: a secret document is stored
/// encrypted, deterministically, so the id is known before git stores it.
Result<std::string> stored_blob_id(const Plugin& plugin, const std::string& path,
                                   std::string_view text, const SnapshotSecrets& secrets);

/// Rewrites git-twin's block of .gitattributes (text given) for what the snapshot found,
/// and, when that block changed or `copies_changed` (a file was written to or removed from
/// filesystem/ or live/filesystem), the .gitattributes of the directories of listed files.
/// When the rules changed, every tracked file they now cover is cleaned again: a blob
/// stored in plaintext before (a file that became private, a new pattern, a twin from
/// before encryption) is replaced by ciphertext; the others, cleaned to the same blob, stay
/// as they are. Returns the paths to commit.
Result<std::vector<std::string>> update_attributes(TwinEnv& env,
                                                   std::span<const Plugin* const> plugins,
                                                   const std::string& attributes,
                                                   const SnapshotSecrets& secrets,
                                                   bool copies_changed);

} // namespace twin
