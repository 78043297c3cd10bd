// SPDX-License-Identifier: MIT
// What one plugin observed: its live document (live/<fragment>.yaml), built on demand.
//
// Why lazy: for files.mirror, building and emitting a 20,000-entry document costs more than
// walking the tree, and a snapshot of an unchanged machine needs neither. The fingerprint
// says when the document is the same as last time (see LiveMemo), so the caller can reuse
// what it already has instead of building it.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include "core/value.hpp"

namespace twin {

class LiveObservation {
public:
  /// A document built up front; its fingerprint is the digest of its canonical text.
  static LiveObservation of(Value document);
  /// A document built only when asked for. `fingerprint` must differ whenever the built
  /// document would; `resources` is how many resources it holds (for reports).
  static LiveObservation lazy(std::string fingerprint, std::size_t resources,
                              std::function<Value()> build);

  const std::string& fingerprint() const { return m_fingerprint; }
  std::size_t resources() const { return m_resources; }
  /// The document, built on first use (not thread-safe).
  const Value& document() const;
  /// Its canonical YAML, emitted on first use.
  const std::string& text() const;

private:
  std::string m_fingerprint;
  std::size_t m_resources = 0;
  // Filled on first use: building is an implementation detail of reading.
  mutable std::function<Value()> m_build;
  mutable std::optional<Value> m_document;
  mutable std::optional<std::string> m_text;
};

/// Resources in a live document: the items of its top-level lists, or 1 for a document
/// without lists (system.info describes one machine).
std::size_t count_resources(const Value& document);

} // namespace twin
