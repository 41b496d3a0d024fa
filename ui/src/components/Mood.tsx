import { useEffect, useState } from "preact/hooks";
import { api, errorText } from "../api";
import { t } from "../i18n";
import { buildMoodPlot, type MoodPoint } from "../mood";
import type { EmotionDay, Message } from "../types";

const WIDTH = 640;
const HEIGHT = 280;

export function Mood() {
  const [days, setDays] = useState<EmotionDay[] | null>(null);
  const [selected, setSelected] = useState<MoodPoint | null>(null);
  const [messages, setMessages] = useState<Message[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api
      .moodDays()
      .then(setDays)
      .catch((failure) => setError(errorText(failure)));
  }, []);

  function select(point: MoodPoint) {
    setSelected(point);
    api
      .moodMessages(point.day, point.label)
      .then(setMessages)
      .catch((failure) => setError(errorText(failure)));
  }

  const plot = days ? buildMoodPlot(days, WIDTH, HEIGHT) : null;

  return (
    <section class="mood" data-testid="mood-view">
      <header class="view-header">
        <h2>{t("mood.title")}</h2>
      </header>
      {error && <p class="error" role="alert">{error}</p>}
      {plot && plot.series.length === 0 && <p class="empty">{t("mood.empty")}</p>}
      {plot && plot.series.length > 0 && (
        <>
          <svg class="mood-plot" data-testid="mood-plot" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={t("mood.title")}>
            <line class="axis" x1={24} y1={HEIGHT - 24} x2={WIDTH - 24} y2={HEIGHT - 24} />
            {plot.series.map((series) => (
              <g key={series.label} class={`series emotion-${series.label}`}>
                <polyline points={series.points.map((point) => `${point.x},${point.y}`).join(" ")} />
                {series.points
                  .filter((point) => point.count > 0)
                  .map((point) => (
                    <circle
                      key={point.day}
                      cx={point.x}
                      cy={point.y}
                      r={6}
                      data-testid="mood-point"
                      data-day={point.day}
                      data-emotion={point.label}
                      onClick={() => select(point)}
                    >
                      <title>{`${point.day} · ${t(`emotion.${point.label}`)} · ${point.count}`}</title>
                    </circle>
                  ))}
              </g>
            ))}
            {plot.days.map((day, index) => (
              <text key={day} class="day-label" x={plot.series[0].points[index].x} y={HEIGHT - 6}>
                {day.slice(5)}
              </text>
            ))}
          </svg>
          <ul class="legend">
            {plot.series.map((series) => (
              <li key={series.label} class={`emotion-${series.label}`}>
                {t(`emotion.${series.label}`)}
              </li>
            ))}
          </ul>
        </>
      )}
      {selected && (
        <div class="mood-messages" data-testid="mood-messages">
          <h3>{t("mood.messages_on", { day: selected.day, emotion: t(`emotion.${selected.label}`) })}</h3>
          <ul>
            {messages.map((message) => (
              <li key={message.id} data-testid="mood-message">
                {message.content}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
