// Agent state as typed columns (structure of arrays).
//
// A ColumnTable holds one contiguous buffer per state variable of one agent kind, each with a name,
// a unit and a description. Model code resolves names to typed Column<T> references once, at
// construction; hot loops index plain arrays. The table lets generic code (Python views, run-file
// output, tests) list and reach every column without knowing the agent kind. Capacity is fixed at
// construction (agents that come and go use an `alive` column), so views into columns stay valid.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <typeinfo>
#include <vector>

namespace sahelsim::core {

enum class ColumnType { int8, uint8, int32, int64, float32, float64 };

template <class T> constexpr ColumnType column_type_of();
template <> constexpr ColumnType column_type_of<std::int8_t>() { return ColumnType::int8; }
template <> constexpr ColumnType column_type_of<std::uint8_t>() { return ColumnType::uint8; }
template <> constexpr ColumnType column_type_of<std::int32_t>() { return ColumnType::int32; }
template <> constexpr ColumnType column_type_of<std::int64_t>() { return ColumnType::int64; }
template <> constexpr ColumnType column_type_of<float>() { return ColumnType::float32; }
template <> constexpr ColumnType column_type_of<double>() { return ColumnType::float64; }

class ColumnBase {
 public:
  ColumnBase(std::string name, std::string unit, std::string description)
      : name_(std::move(name)), unit_(std::move(unit)), description_(std::move(description)) {}
  virtual ~ColumnBase() = default;
  virtual ColumnType type() const = 0;
  virtual std::size_t size() const = 0;
  virtual const void* raw() const = 0;
  /// The values, writable (restoring a checkpoint).
  virtual void* mutable_raw() = 0;
  virtual std::size_t element_size() const = 0;
  const std::string& name() const { return name_; }
  const std::string& unit() const { return unit_; }
  const std::string& description() const { return description_; }

 private:
  std::string name_, unit_, description_;
};

template <class T>
class Column final : public ColumnBase {
 public:
  Column(std::string name, std::string unit, std::string description, std::size_t size, T initial)
      : ColumnBase(std::move(name), std::move(unit), std::move(description)), data_(size, initial) {}
  ColumnType type() const override { return column_type_of<T>(); }
  std::size_t size() const override { return data_.size(); }
  const void* raw() const override { return data_.data(); }
  void* mutable_raw() override { return data_.data(); }
  std::size_t element_size() const override { return sizeof(T); }

  T& operator[](std::size_t i) { return data_[i]; }
  const T& operator[](std::size_t i) const { return data_[i]; }
  T* data() { return data_.data(); }
  const T* data() const { return data_.data(); }
  std::vector<T>& values() { return data_; }
  const std::vector<T>& values() const { return data_; }

 private:
  std::vector<T> data_;
};

class ColumnTable {
 public:
  ColumnTable(std::string kind, std::size_t capacity) : kind_(std::move(kind)), capacity_(capacity) {}

  template <class T>
  Column<T>& add(const std::string& name, const std::string& unit, const std::string& description,
                 T initial = T{}) {
    for (const auto& c : columns_)
      if (c->name() == name) throw std::logic_error(kind_ + " column '" + name + "' defined twice");
    auto column = std::make_unique<Column<T>>(name, unit, description, capacity_, initial);
    Column<T>& ref = *column;
    columns_.push_back(std::move(column));
    return ref;
  }

  const ColumnBase& at(const std::string& name) const {
    for (const auto& c : columns_)
      if (c->name() == name) return *c;
    throw std::out_of_range(kind_ + " has no column '" + name + "'");
  }
  bool has(const std::string& name) const {
    for (const auto& c : columns_)
      if (c->name() == name) return true;
    return false;
  }

  const std::string& kind() const { return kind_; }
  std::size_t capacity() const { return capacity_; }
  const std::vector<std::unique_ptr<ColumnBase>>& columns() const { return columns_; }

 private:
  std::string kind_;
  std::size_t capacity_;
  std::vector<std::unique_ptr<ColumnBase>> columns_;
};

}  // namespace sahelsim::core
