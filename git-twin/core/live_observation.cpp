// SPDX-License-Identifier: MIT
#include "core/live_observation.hpp"

#include "core/sha256.hpp"
#include "core/yaml_emitter.hpp"

namespace twin {

LiveObservation LiveObservation::of(Value document) {
  LiveObservation obs;
  obs.m_resources = count_resources(document);
  obs.m_text = emit_yaml(document);
  obs.m_fingerprint = sha256_hex(*obs.m_text);
  obs.m_document = std::move(document);
  return obs;
}

LiveObservation LiveObservation::lazy(std::string fingerprint, std::size_t resources,
                                      std::function<Value()> build) {
  LiveObservation obs;
  obs.m_fingerprint = std::move(fingerprint);
  obs.m_resources = resources;
  obs.m_build = std::move(build);
  return obs;
}

const Value& LiveObservation::document() const {
  if (!m_document) {
    m_document = m_build();
    m_build = nullptr; // what it captured is no longer needed
  }
  return *m_document;
}

const std::string& LiveObservation::text() const {
  if (!m_text)
    m_text = emit_yaml(document());
  return *m_text;
}

std::size_t count_resources(const Value& document) {
  std::size_t n = 0;
  bool any_list = false;
  if (document.is_map())
    for (const auto& [key, v] : document.as_map())
      if (v.is_list()) {
        n += v.as_list().size();
        any_list = true;
      }
  return any_list ? n : 1;
}

} // namespace twin
