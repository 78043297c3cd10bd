// SPDX-License-Identifier: MIT
// Structural comparison of two Values for the fuzz targets. Value's operator== cannot
// serve: a real .nan is not equal to itself, and it ignores the marks, which the fast YAML
// reader promises to give exactly as yaml-cpp does.
#pragma once

#include <cmath>

#include "core/value.hpp"

namespace twin_fuzz {

inline bool same_tree(const twin::Value& a, const twin::Value& b, bool with_marks) {
  using T = twin::Value::Type;
  if (a.type() != b.type())
    return false;
  if (with_marks && (a.mark.line != b.mark.line || a.mark.column != b.mark.column))
    return false;
  switch (a.type()) {
  case T::real:
    return std::isnan(a.as_real()) ? std::isnan(b.as_real()) : a.as_real() == b.as_real();
  case T::list: {
    if (a.as_list().size() != b.as_list().size())
      return false;
    for (std::size_t i = 0; i < a.as_list().size(); ++i)
      if (!same_tree(a.as_list()[i], b.as_list()[i], with_marks))
        return false;
    return true;
  }
  case T::map: {
    if (a.as_map().size() != b.as_map().size())
      return false;
    for (auto i = a.as_map().begin(), j = b.as_map().begin(); i != a.as_map().end(); ++i, ++j)
      if (i->first != j->first || !same_tree(i->second, j->second, with_marks))
        return false;
    return true;
  }
  default:
    return a == b;
  }
}

} // namespace twin_fuzz
