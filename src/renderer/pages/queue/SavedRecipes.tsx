/** The recipes saved by name: load one into the editor, or delete it. */
import type { Recipe } from '../../../shared/recipes';
import { getApi } from '../../api/client';
import { errorText } from '../../hooks/api';

export function SavedRecipes({
  recipes,
  onLoad,
  onChanged,
  onError,
}: {
  recipes: Recipe[];
  onLoad(recipe: Recipe): void;
  onChanged(): void;
  onError(error: string): void;
}) {
  return (
    <>
      <h3>Saved recipes</h3>
      {recipes.length === 0 ? <p className="muted">None yet.</p> : null}
      <ul className="plain" data-testid="recipes">
        {recipes.map((r) => (
          <li key={r.name} className="row">
            <button type="button" onClick={() => onLoad(r)}>
              Load
            </button>
            <span>
              {r.name}{' '}
              <span className="muted">
                · cells {r.cells} · {r.steps.length} steps
              </span>
            </span>
            <button
              type="button"
              aria-label={`Delete recipe ${r.name}`}
              onClick={() => {
                if (confirm(`Delete recipe '${r.name}'?`))
                  void getApi()
                    .call['recipes.delete']({ name: r.name })
                    .then(onChanged, (e: unknown) => onError(errorText(e)));
              }}
            >
              Delete
            </button>
          </li>
        ))}
      </ul>
    </>
  );
}
