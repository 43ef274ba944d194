using System.Runtime.Intrinsics;

namespace Urm.Core.Retrieval;

/// <summary>
/// One request's M user vectors as <see cref="QuantizedCards.ScoreBlock"/> reads them: each vector u_m
/// as int16 values û_m with a scale s_m (u_m ≈ s_m·û_m, s_m = max_j |u_mj| / <see cref="QuantizedCards.UserLimit"/>),
/// and the two request-wide numbers the error bound needs. Made by <see cref="QuantizedCards.QuantizeUsers"/>.
/// </summary>
/// <param name="Count">M.</param>
/// <param name="Values">[M][PaddedDimension]: û_m, zero beyond the dimension (the portable kernel reads these).</param>
/// <param name="Pairs">[M][PaddedDimension / 2]: dimensions 2p and 2p+1 of û_m, the pair repeated for the 8 lanes
/// (the operand of one vpmaddwd against 8 cards' values of those two dimensions); zero beyond the dimension.</param>
/// <param name="Scales">s_m; 0 for an all-zero vector.</param>
/// <param name="Norm">N = max_m max(‖u_m‖₁, ‖s_m·û_m‖₁), rounded up.</param>
/// <param name="Error">E = max_m ‖u_m − s_m·û_m‖∞ (the user vectors' own quantisation error), rounded up.</param>
internal sealed record QuantizedUsers(int Count, short[] Values, Vector256<short>[] Pairs, float[] Scales, float Norm, float Error);
