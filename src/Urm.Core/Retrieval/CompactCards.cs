namespace Urm.Core.Retrieval;

/// <summary>Which compact copy of the cards the compressed scan's first pass reads.</summary>
public enum CompactCards
{
    /// <summary>int8 values with a per-card scale, the user vectors as int16 (<see cref="QuantizedCards"/>): what serving uses.</summary>
    Int8,

    /// <summary>fp16 values with a per-card power-of-two scale, the user vectors in fp32 (<see cref="HalfCards"/>): built on first use, for measuring beside int8.</summary>
    Fp16,
}
