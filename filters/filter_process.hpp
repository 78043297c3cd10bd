// SPDX-License-Identifier: MIT
// The server side of git's long-running filter process protocol (gitattributes(5), "Long
// Running Filter Process"; tech-notes section 2.1), which `git twin filter-process` runs
// for `filter.twin-crypt.process`: one process per git command instead of one per file.
//
//   git> git-filter-client, version=2, flush    <git-filter-server, version=2, flush
//   git> capability=clean, =smudge, =delay, flush    <capability=clean, =smudge, flush
//   per file:
//   git> command=clean|smudge, pathname=P, (other keys), flush, content, flush
//        <status=success, flush, content, flush, flush      (an empty list: status stays)
//     or <status=error, flush                               (this file failed; git goes on)
//
// delay is never offered: it only helps filters that fetch content slowly (LFS). A failure
// of one file is that file's status=error with the reason on stderr, never with content;
// a broken protocol (bad packet, wrong handshake, input ending inside a request) ends the
// server with an error, and git reports the filter as failed. End of input between requests
// is git closing the pipe: the server returns success.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "filters/pkt_line.hpp"

namespace twin {
class SecretKey;
}

namespace twin::filters {

/// One direction of a filter: the new content of `path`, or why it cannot be made. The
/// reason is printed, so it must never contain the content.
using FilterFn =
    std::function<Result<std::string>(std::string_view path, std::string_view content)>;

struct FilterDriver {
  std::string name; // "twin-crypt": the prefix of every message
  FilterFn clean;
  FilterFn smudge;
};

/// The twin-crypt driver: clean_secret and smudge_secret with `key` (nullptr: a locked
/// clone, where ciphertext passes and plaintext cannot be cleaned). `key` must outlive it.
FilterDriver crypt_driver(const SecretKey* key);

/// Serves requests from `input` until it ends, answering on `output`; per-file failures
/// go to `diagnostics` as "error: <driver>: <path>: <reason>".
Status serve_filter_process(ByteSource& input, ByteSink& output, ByteSink& diagnostics,
                            const FilterDriver& driver);

} // namespace twin::filters
