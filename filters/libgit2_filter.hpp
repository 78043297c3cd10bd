// SPDX-License-Identifier: MIT
// The twin-crypt filter registered with libgit2, so that what git-twin reads and writes in
// process goes through the same clean and smudge as git's `filter.twin-crypt.process`.
// libgit2 ignores filter.* from git config (tech-notes section 3): without this, a blob read
// with libgit2 stays ciphertext and a file added with libgit2 would be stored in plaintext.
//
// The filter applies where .gitattributes says filter=twin-crypt. Its priority is libgit2's
// for driver filters (above crlf and ident), so, as in git, smudge runs after the line-end
// conversion and clean before it. The key is that of the repository being filtered
// (<git dir>/twin/crypt.key), loaded once per git dir; without one, the filter behaves as
// the process filter does in a locked clone.
//
// Registration is explicit: cli::run() hands register_libgit2_filters to
// GitRepo::set_library_setup, which calls it right after libgit2's lazy initialization.
// libgit2's filter registry is not thread-safe: register before any other thread uses it.
#pragma once

#include "core/error.hpp"

namespace twin::filters {

/// The name of the filter driver and of its attribute value (filter=twin-crypt).
inline constexpr const char* k_crypt_filter_name = "twin-crypt";

/// Registers twin-crypt with libgit2 (initializing libgit2 if needed). Registering again is
/// a no-op.
Status register_libgit2_filters();

} // namespace twin::filters
