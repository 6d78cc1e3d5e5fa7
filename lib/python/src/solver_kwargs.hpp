// Solver options as Python keyword arguments: a table of named fields per options struct, so
// that every solver takes its options as `name=value`, an unknown name is a TypeError listing
// the valid ones, a value of the wrong type is a TypeError naming the option, and the library's
// own validate() (a ValueError naming the field) judges the values.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "python_support.hpp"
#include "riemopt/trajectory.hpp"

namespace riemopt::python {

template <typename Options>
class KeywordOptions {
 public:
  using Setter = std::function<void(Options&, const py::handle&, const std::string&)>;

  KeywordOptions& add(std::string name, Setter set) {
    fields_.emplace_back(std::move(name), std::move(set));
    return *this;
  }

  // A plain field: `name=value` assigns value (cast to the field's type) to options.*member.
  template <typename T, typename Owner>
  KeywordOptions& field(std::string name, T Owner::*member) {
    return add(std::move(name), [member](Options& o, const py::handle& h, const std::string& n) {
      o.*member = cast<T>(h, n);
    });
  }

  // An enum field set by name; `choices` pairs each value with its name.
  template <typename Enum, typename Owner>
  KeywordOptions& choice(std::string name, Enum Owner::*member, std::vector<Enum> values,
                         std::vector<std::string> names) {
    return add(std::move(name),
               [member, values, names](Options& o, const py::handle& h, const std::string& n) {
                 o.*member = parse_choice(cast<std::string>(h, n), values, names, n);
               });
  }

  // Applies the keywords in the table's order, not the call's: a setter that resets others (a
  // completion's `integrator` sets its default tolerances) comes before them in the table, so
  // `rtol=1e-6, integrator="dopri5"` keeps the rtol the caller gave.
  void apply(Options& options, const py::kwargs& kwargs) const {
    for (const auto& [key, value] : kwargs) {
      const std::string name = py::str(key);
      if (find(name) == nullptr)
        throw py::type_error("unexpected keyword argument '" + name +
                             "'; the options are: " + names());
    }
    for (const auto& [name, set] : fields_)
      if (kwargs.contains(name)) set(options, kwargs[py::str(name)], name);
  }

  std::string names() const {
    std::string out;
    for (const auto& f : fields_) out += (out.empty() ? "" : ", ") + f.first;
    return out;
  }

  template <typename T>
  static T cast(const py::handle& h, const std::string& name) {
    try {
      return h.cast<T>();
    } catch (const py::cast_error&) {
      throw py::type_error("option '" + name + "' cannot take a " +
                           std::string(py::str(py::type::of(h).attr("__name__"))) + " (got " +
                           std::string(py::repr(h)) + ")");
    }
  }

 private:
  const Setter* find(const std::string& name) const {
    for (const auto& f : fields_)
      if (f.first == name) return &f.second;
    return nullptr;
  }
  std::vector<std::pair<std::string, Setter>> fields_;
};

}  // namespace riemopt::python
