/**
 * The web dashboard screen as the bench asks for it (BFF_VIEWS in bff-views.ts): one
 * constant, so our BFF door and the hand-written BFF (handwritten-bff.ts) are sent the same
 * document, and the hand-written one can refuse anything else (it answers only this shape).
 */
export const WEB_DASHBOARD_QUERY = `query Dashboard { dashboard {
      profile { id name email avatarUrl tier memberSince }
      orders { id status formattedTotal placedAt itemCount lines { productId name category quantity unitPriceCents } }
      recommendations(limit: 8) { degraded items { id name formattedPrice imageUrl category } }
      unreadNotifications
      analytics { totalSpentCents byMonth { key totalCents } byCategory { key totalCents } byStatus { status orderCount } }
    } }`;

/** `recommendations(limit: 8)` in the query above. */
export const WEB_DASHBOARD_RECOMMENDATIONS = 8;
