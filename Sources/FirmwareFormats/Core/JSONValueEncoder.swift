import Foundation

/// Encodes an `Encodable` value straight into a ``JSONValue``: the value `JSONEncoder` would write,
/// as `JSONDecoder` would read it back into a `JSONValue`, without the bytes in between.
///
/// Verification reports carry the format's description as a `JSONValue`; building it through
/// JSON text (encode, then decode) cost about a tenth of a batch's CPU (issue 10). The result is
/// the same as that round trip with `JSONEncoder`'s defaults: `Data` as Base64 text, `URL` as its
/// absolute string, every number as a `Double`, `nil` written only by `encodeNil`, and dates as
/// ``date`` makes them. Non-finite floating-point numbers throw, as `JSONEncoder` does.
public struct JSONValueEncoder {
    /// How a `Date` becomes JSON (`JSONEncoder.dateEncodingStrategy`).
    public var date: (Date) -> JSONValue

    /// - Parameter date: how a `Date` becomes JSON.
    public init(date: @escaping (Date) -> JSONValue) {
        self.date = date
    }

    /// - Returns: the JSON value of `value`.
    /// - Throws: `EncodingError.invalidValue` for a non-finite number, or what `value`'s
    ///   `encode(to:)` throws.
    public func encode(_ value: some Encodable) throws -> JSONValue {
        let root = Slot()
        try ValueEncoder(slot: root, codingPath: [], date: date).encodeValue(value, into: root, at: [])
        return root.resolve()
    }
}

/// A place in the tree being built: a finished value, or an object or array still filling up.
private final class Slot {
    var value: JSONValue?
    var object: [String: Slot]?
    var array: [Slot]?

    func resolve() -> JSONValue {
        if let object { return .object(object.mapValues { $0.resolve() }) }
        if let array { return .array(array.map { $0.resolve() }) }
        return value ?? .object([:])  // an encoder that wrote nothing: JSONEncoder writes {}
    }

    func makeObject() {
        if object == nil {
            value = nil
            array = nil
            object = [:]
        }
    }

    func makeArray() {
        if array == nil {
            value = nil
            object = nil
            array = []
        }
    }

    func set(_ newValue: JSONValue) {
        object = nil
        array = nil
        value = newValue
    }
}

/// A key for array elements and `super`, as JSONEncoder's coding paths have them.
private struct IndexKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init(intValue: Int) {
        self.stringValue = "Index \(intValue)"
        self.intValue = intValue
    }
    static let superKey = IndexKey(stringValue: "super")
}

private struct ValueEncoder: Encoder {
    let slot: Slot
    let codingPath: [any CodingKey]
    let date: (Date) -> JSONValue
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        slot.makeObject()
        return KeyedEncodingContainer(KeyedContainer<Key>(encoder: self, slot: slot, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        slot.makeArray()
        return UnkeyedContainer(encoder: self, slot: slot, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleContainer(encoder: self, slot: slot, codingPath: codingPath)
    }

    /// Writes `value` into `target`: the types JSONEncoder special-cases first, then the value's
    /// own `encode(to:)`.
    func encodeValue<T: Encodable>(_ value: T, into target: Slot, at path: [any CodingKey]) throws {
        switch value {
        case let value as Date: target.set(date(value))
        case let value as Data: target.set(.string(value.base64EncodedString()))
        case let value as URL: target.set(.string(value.absoluteString))
        case let value as Decimal: target.set(.number(NSDecimalNumber(decimal: value).doubleValue))
        case let value as Double: target.set(try number(value, at: path))
        case let value as Float: target.set(try number(Double(value), at: path))
        default: try value.encode(to: ValueEncoder(slot: target, codingPath: path, date: date))
        }
    }

    func number(_ value: Double, at path: [any CodingKey]) throws -> JSONValue {
        guard value.isFinite else {
            throw EncodingError.invalidValue(
                value, EncodingError.Context(codingPath: path, debugDescription: "Unable to encode \(value) directly in JSON."))
        }
        return .number(value)
    }

    func number(_ value: some BinaryInteger) -> JSONValue { .number(Double(value)) }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: ValueEncoder
    let slot: Slot
    let codingPath: [any CodingKey]

    private func child(_ key: any CodingKey) -> Slot {
        let child = Slot()
        slot.object![key.stringValue] = child
        return child
    }

    mutating func encodeNil(forKey key: Key) throws { child(key).set(.null) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { child(key).set(.bool(value)) }
    mutating func encode(_ value: String, forKey key: Key) throws { child(key).set(.string(value)) }
    mutating func encode(_ value: Double, forKey key: Key) throws { child(key).set(try encoder.number(value, at: codingPath + [key])) }
    mutating func encode(_ value: Float, forKey key: Key) throws { child(key).set(try encoder.number(Double(value), at: codingPath + [key])) }
    mutating func encode(_ value: Int, forKey key: Key) throws { child(key).set(encoder.number(value)) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { child(key).set(encoder.number(value)) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { child(key).set(encoder.number(value)) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { child(key).set(encoder.number(value)) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { child(key).set(encoder.number(value)) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { child(key).set(encoder.number(value)) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { child(key).set(encoder.number(value)) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { child(key).set(encoder.number(value)) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { child(key).set(encoder.number(value)) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { child(key).set(encoder.number(value)) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try encoder.encodeValue(value, into: child(key), at: codingPath + [key])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let nested = child(key)
        nested.makeObject()
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(encoder: encoder, slot: nested, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = child(key)
        nested.makeArray()
        return UnkeyedContainer(encoder: encoder, slot: nested, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder {
        ValueEncoder(slot: child(IndexKey.superKey), codingPath: codingPath + [IndexKey.superKey], date: encoder.date)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        ValueEncoder(slot: child(key), codingPath: codingPath + [key], date: encoder.date)
    }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let encoder: ValueEncoder
    let slot: Slot
    let codingPath: [any CodingKey]
    var count: Int { slot.array!.count }

    private func append() -> Slot {
        let element = Slot()
        slot.array!.append(element)
        return element
    }

    private var nextKey: IndexKey { IndexKey(intValue: count) }

    mutating func encodeNil() throws { append().set(.null) }
    mutating func encode(_ value: Bool) throws { append().set(.bool(value)) }
    mutating func encode(_ value: String) throws { append().set(.string(value)) }
    mutating func encode(_ value: Double) throws { append().set(try encoder.number(value, at: codingPath + [nextKey])) }
    mutating func encode(_ value: Float) throws { append().set(try encoder.number(Double(value), at: codingPath + [nextKey])) }
    mutating func encode(_ value: Int) throws { append().set(encoder.number(value)) }
    mutating func encode(_ value: Int8) throws { append().set(encoder.number(value)) }
    mutating func encode(_ value: Int16) throws { append().set(encoder.number(value)) }
    mutating func encode(_ value: Int32) throws { append().set(encoder.number(value)) }
    mutating func encode(_ value: Int64) throws { append().set(encoder.number(value)) }
    mutating func encode(_ value: UInt) throws { append().set(encoder.number(value)) }
    mutating func encode(_ value: UInt8) throws { append().set(encoder.number(value)) }
    mutating func encode(_ value: UInt16) throws { append().set(encoder.number(value)) }
    mutating func encode(_ value: UInt32) throws { append().set(encoder.number(value)) }
    mutating func encode(_ value: UInt64) throws { append().set(encoder.number(value)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let path = codingPath + [nextKey]
        try encoder.encodeValue(value, into: append(), at: path)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let path = codingPath + [nextKey]
        let nested = append()
        nested.makeObject()
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(encoder: encoder, slot: nested, codingPath: path))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let path = codingPath + [nextKey]
        let nested = append()
        nested.makeArray()
        return UnkeyedContainer(encoder: encoder, slot: nested, codingPath: path)
    }

    mutating func superEncoder() -> any Encoder {
        let path = codingPath + [nextKey]
        return ValueEncoder(slot: append(), codingPath: path, date: encoder.date)
    }
}

private struct SingleContainer: SingleValueEncodingContainer {
    let encoder: ValueEncoder
    let slot: Slot
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { slot.set(.null) }
    mutating func encode(_ value: Bool) throws { slot.set(.bool(value)) }
    mutating func encode(_ value: String) throws { slot.set(.string(value)) }
    mutating func encode(_ value: Double) throws { slot.set(try encoder.number(value, at: codingPath)) }
    mutating func encode(_ value: Float) throws { slot.set(try encoder.number(Double(value), at: codingPath)) }
    mutating func encode(_ value: Int) throws { slot.set(encoder.number(value)) }
    mutating func encode(_ value: Int8) throws { slot.set(encoder.number(value)) }
    mutating func encode(_ value: Int16) throws { slot.set(encoder.number(value)) }
    mutating func encode(_ value: Int32) throws { slot.set(encoder.number(value)) }
    mutating func encode(_ value: Int64) throws { slot.set(encoder.number(value)) }
    mutating func encode(_ value: UInt) throws { slot.set(encoder.number(value)) }
    mutating func encode(_ value: UInt8) throws { slot.set(encoder.number(value)) }
    mutating func encode(_ value: UInt16) throws { slot.set(encoder.number(value)) }
    mutating func encode(_ value: UInt32) throws { slot.set(encoder.number(value)) }
    mutating func encode(_ value: UInt64) throws { slot.set(encoder.number(value)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try encoder.encodeValue(value, into: slot, at: codingPath)
    }
}
